"""Honours (荣誉) by merit over the API as the real roles: everyone over the locality's thresholds
is a candidate (no cap), raising a threshold changes the list, an upheld appeal against a
candidate leaves it out, and the supervisor's approval publishes the roll to the county."""

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
        "period": "2026-03", "subject": "dept-cg", "indicator": "回退", "against": "dc-bg-01",
        "reason": "网格员上报的位置有误，非我局职责"}, "dept-cg-staff"), 201)
    review = only(graded.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    ok(graded.complete(review["id"], "supervisor", {"decision": "uphold", "delta": -1, "decision_reason": "属实"}))
    assert candidates(graded) == sorted(set(ON_TIME) - {"dc-bg-01"})


def test_the_supervisor_approves_without_adding_and_the_roll_is_public_to_the_county(graded):
    thresholds(graded, {"composite": 90, "满意率": None})
    ok(graded.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    assert graded.post("/honours/nominations", "worker-dc-dm-01",
                       json={"org_unit": "qingxi", "period": "2026-03"}).status_code == 403
    ok(graded.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": "2026-03"}), 201)
    task = only(graded.tasks("supervisor", process_key="honour_nomination"), "审定荣誉")
    form = ok(graded.get(f"/tasks/{task['id']}", "supervisor")).get_json()["form"]["values"]
    assert sorted(c["subject"] for c in form["candidates"] if c["kind"] == "grid") == sorted(ON_TIME)
    stray = graded.complete(task["id"], "supervisor", {"withheld": ["dc-dm-02"], "withheld_reason": "x"})
    assert stray.status_code == 422  # never a non-candidate
    silent = graded.complete(task["id"], "supervisor", {"withheld": ["nh-hb-01"]})
    assert silent.status_code == 422 and "withheld_reason" in silent.get_json()["errors"]
    ok(graded.complete(task["id"], "supervisor", {"withheld": ["nh-hb-01"], "withheld_reason": "群众投诉待核实"}))
    public = ok(graded.get("/honours", "resident-xs-sq", query_string={"period": "2026-03",
                                                                      "org_unit": "qingxi"})).get_json()
    assert public["candidates"] is None
    assert sorted(h["subject"] for h in public["awarded"] if h["kind"] == "grid") == ["dc-bg-01", "dc-dm-01",
                                                                                      "xs-sq-01"]
    again = graded.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": "2026-03"})
    assert again.status_code == 409
