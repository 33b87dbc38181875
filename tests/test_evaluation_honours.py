"""Honours (荣誉) by merit over the API as the real roles: everyone over the locality's thresholds
is a candidate (no cap), raising a threshold changes the list, an upheld appeal against a
candidate leaves it out, each town nominates from its own candidates (withholding with a reason,
never adding) and the county supervisor's approval of the nominations publishes the roll."""

from datetime import timedelta

import pytest

from tests.support import ROOT, bundle, ok, only
from tests.support_indicators import GARBAGE, PHOTOS, clock_fixture, events_fixture  # noqa: F401 - fixtures
from tests.test_event_handling import do, report

ON_TIME = ("dc-dm-01", "dc-bg-01", "xs-sq-01", "nh-hb-01")


def thresholds(api, grid: dict):
    body = {"document": {"honours": {"subjects": {"grid": {"thresholds": grid}}}}}
    return ok(api.client.put("/api/v1/evaluation/settings", headers=api.headers("supervisor"),
                             query_string={"locality": "qingxi"}, json=body))


def candidates(api, user: str = "supervisor") -> list[str]:
    found = ok(api.get("/honours", user, query_string={"period": "2026-03", "org_unit": "qingxi"})).get_json()
    return sorted(c["subject"] for c in found["candidates"] if c["kind"] == "grid")


@pytest.fixture(name="graded")
def graded_fixture(events, clock):
    """Four grids whose cases all closed on time (composite 100) and one with an overdue open case."""
    for grid in (*ON_TIME, "dc-dm-02"):
        case = report(events, grid, GARBAGE)
        do(events, f"worker-{grid}", case, "网格自行处置", {"handling_note": "已清扫", **PHOTOS})
    report(events, "dc-dm-02", GARBAGE)  # left open past its 2 working hours
    clock.shift(timedelta(hours=3))
    return events


def test_everyone_over_the_thresholds_is_a_candidate_and_raising_one_changes_the_list(graded):
    thresholds(graded, {"composite": 60, "满意率": None})
    assert candidates(graded) == sorted((*ON_TIME, "dc-dm-02"))  # 62.5 for dc-dm-02: no cap, all five
    thresholds(graded, {"composite": 90})
    assert candidates(graded) == sorted(ON_TIME)
    thresholds(graded, {"composite": 90, "满意率": 0.95})  # nobody has residents' verdicts yet
    assert candidates(graded) == []


def test_an_upheld_appeal_against_a_candidate_leaves_it_out(graded):
    thresholds(graded, {"composite": 90, "满意率": None})
    ok(graded.deploy(bundle(ROOT / "processes" / "evaluation_appeal")), 201)
    ok(graded.start("evaluation_appeal", "dept-cg", {
        "period": "2026-03", "subject": "dept-cg", "indicator": "挂账", "against": "dc-bg-01",
        "reason": "网格员上报的位置有误，非我局职责"}, "dept-cg-staff"), 201)
    review = only(graded.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    ok(graded.complete(review["id"], "supervisor", {"decision": "uphold", "delta": 1, "decision_reason": "属实"}))
    assert candidates(graded) == sorted(set(ON_TIME) - {"dc-bg-01"})


def _review(api, town: str):
    leader = f"leader-{town}"
    task = only(api.tasks(leader, process_key="honour_nomination"), "推荐荣誉候选")
    values = ok(api.get(f"/tasks/{task['id']}", leader)).get_json()["form"]["values"]
    return leader, task, sorted(c["subject"] for c in values["review"]["candidates"] if c["kind"] == "grid")


def test_towns_nominate_then_the_county_approves_never_adding_and_the_roll_is_public(graded):
    thresholds(graded, {"composite": 90, "满意率": None})
    ok(graded.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    assert graded.post("/honours/nominations", "worker-dc-dm-01",
                       json={"org_unit": "qingxi", "period": "2026-03"}).status_code == 403
    ok(graded.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": "2026-03"}), 201)
    assert graded.tasks("supervisor", process_key="honour_nomination") == []  # the towns first
    assert graded.tasks("leader-dc", process_key="honour_nomination")[0]["name"] == "推荐荣誉候选"
    dc, dc_task, dc_grids = _review(graded, "dc")
    xs, xs_task, xs_grids = _review(graded, "xs")
    nh, nh_task, nh_grids = _review(graded, "nh")
    assert (dc_grids, xs_grids, nh_grids) == (["dc-bg-01", "dc-dm-01"], ["xs-sq-01"], ["nh-hb-01"])
    assert graded.complete(dc_task["id"], "leader-xs", {}).status_code in (403, 409)  # another town's
    stray = graded.complete(dc_task["id"], dc, {"town_withheld": ["dc-dm-02"], "town_withheld_reason": "x"})
    assert stray.status_code == 422  # never someone who is not a candidate
    assert graded.complete(xs_task["id"], xs, {"town_withheld": ["dc-dm-01"], "town_withheld_reason": "x"}) \
        .status_code == 422  # nor another town's candidate
    silent = graded.complete(dc_task["id"], dc, {"town_withheld": ["dc-bg-01"]})
    assert silent.status_code == 422 and "town_withheld_reason" in silent.get_json()["errors"]
    ok(graded.complete(dc_task["id"], dc, {"town_withheld": ["dc-bg-01"], "town_withheld_reason": "整改未完成"}))
    ok(graded.complete(xs_task["id"], xs, {}))
    assert graded.tasks("supervisor", process_key="honour_nomination") == []  # waits for every town
    ok(graded.complete(nh_task["id"], nh, {}))

    task = only(graded.tasks("supervisor", process_key="honour_nomination"), "审定荣誉")
    form = ok(graded.get(f"/tasks/{task['id']}", "supervisor")).get_json()["form"]["values"]
    assert sorted(c["subject"] for c in form["nominated"] if c["kind"] == "grid") == ["dc-dm-01", "nh-hb-01",
                                                                                      "xs-sq-01"]
    assert [(c["subject"], c["reason"]) for c in form["town_withheld_all"]] == [("dc-bg-01", "整改未完成")]
    stray = graded.complete(task["id"], "supervisor", {"withheld": ["dc-bg-01"], "withheld_reason": "x"})
    assert stray.status_code == 422  # the town withheld it: not a nominee any more
    silent = graded.complete(task["id"], "supervisor", {"withheld": ["nh-hb-01"]})
    assert silent.status_code == 422 and "withheld_reason" in silent.get_json()["errors"]
    ok(graded.complete(task["id"], "supervisor", {"withheld": ["nh-hb-01"], "withheld_reason": "群众投诉待核实"}))
    public = ok(graded.get("/honours", "resident-xs-sq", query_string={"period": "2026-03",
                                                                      "org_unit": "qingxi"})).get_json()
    assert public["candidates"] is None
    assert sorted(h["subject"] for h in public["awarded"] if h["kind"] == "grid") == ["dc-dm-01", "xs-sq-01"]
    supervisor = ok(graded.get("/honours", "supervisor", query_string={"period": "2026-03",
                                                                      "org_unit": "qingxi"})).get_json()
    assert sorted(c["subject"] for c in supervisor["candidates"] if c["kind"] == "grid") == sorted(ON_TIME)
    again = graded.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": "2026-03"})
    assert again.status_code == 409


def test_the_town_and_the_county_decide_on_the_phone_form_by_name(graded):
    from tests.test_web_pages import login, post, text

    thresholds(graded, {"composite": 90, "满意率": None})
    ok(graded.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    ok(graded.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": "2026-03"}), 201)
    leader, task, _grids = _review(graded, "dc")
    town = login(graded.app, leader)
    assert f"/evaluation/honours/task/{task['id']}" in text(ok(town.get(f"/tasks/{task['id']}")))
    form = text(ok(town.get(f"/evaluation/honours/task/{task['id']}")))
    assert "东门社区第1网格" in form and "北关社区第1网格" in form and "优秀网格" in form
    assert 'value="dc-bg-01"' in form and ">dc-bg-01" not in form  # codes only as the checkbox's value
    silent = post(town, f"/evaluation/honours/task/{task['id']}", {"withhold": "dc-bg-01"})
    assert silent.status_code == 422 and "<strong>暂缓理由</strong>：暂缓候选时必填" in text(silent)
    done = post(town, f"/evaluation/honours/task/{task['id']}", {"withhold": "dc-bg-01", "reason": "整改未完成"})
    assert done.status_code == 302
    for other in ("xs", "nh"):
        ok(graded.complete(_review(graded, other)[1]["id"], f"leader-{other}", {}))
    approve = only(graded.tasks("supervisor", process_key="honour_nomination"), "审定荣誉")
    county = login(graded.app, "supervisor")
    page = text(ok(county.get(f"/evaluation/honours/task/{approve['id']}")))
    assert "镇街暂缓的候选" in page and "北关社区第1网格" in page and "整改未完成" in page
    assert 'value="dc-bg-01"' not in page and 'value="dc-dm-01"' in page  # only what the towns nominated
    assert post(county, f"/evaluation/honours/task/{approve['id']}", {}).status_code == 302
    roll = ok(graded.get("/honours", "resident-xs-sq", query_string={"period": "2026-03", "org_unit": "qingxi"}))
    assert sorted(h["subject"] for h in roll.get_json()["awarded"] if h["kind"] == "grid") == \
        ["dc-dm-01", "nh-hb-01", "xs-sq-01"]


def test_the_localitys_data_decides_which_unit_above_the_candidates_nominates(graded):
    body = {"document": {"honours": {"review_level": "community", "review_role": "community_head",
                                     "subjects": {"grid": {"thresholds": {"composite": 90, "满意率": None}}}}}}
    ok(graded.client.put("/api/v1/evaluation/settings", headers=graded.headers("supervisor"),
                         query_string={"locality": "qingxi"}, json=body))
    ok(graded.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    ok(graded.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": "2026-03"}), 201)
    assert graded.tasks("leader-dc", process_key="honour_nomination") == []
    task = only(graded.tasks("head-dc-dm", process_key="honour_nomination"), "推荐荣誉候选")
    values = ok(graded.get(f"/tasks/{task['id']}", "head-dc-dm")).get_json()["form"]["values"]["review"]
    assert values["name"] == "东门社区" and [c["subject"] for c in values["candidates"] if c["kind"] == "grid"] == \
        ["dc-dm-01"]
