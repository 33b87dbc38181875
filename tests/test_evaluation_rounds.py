"""Third-party evaluation rounds over the API as the real roles: a reproducible sample stratified
by grid with a minimum per grid, callbacks in the evaluator's inbox with the resident's phone,
mismatches as facts and a list for the supervisors, the social survey, and the round's scores."""

import io

import openpyxl
import pytest

from tests.support import ROOT, bundle, ok, only
from tests.support_indicators import GARBAGE, PHOTOS, clock_fixture, events_fixture  # noqa: F401 - fixtures
from tests.test_event_handling import do, report
from tests.test_web_pages import login, text

EVALUATOR = "evaluator"
CASES = {"dc-dm-01": 5, "dc-dm-02": 2, "dc-bg-01": 1}


@pytest.fixture(name="closed")
def closed_fixture(events):
    """Closed, self-handled cases in three grids of 东城街道 (and one in 西山镇, outside the scope)."""
    ok(events.deploy(bundle(ROOT / "processes" / "third_party_evaluation")), 201)
    found = {}
    for grid, n in {**CASES, "xs-sq-01": 1}.items():
        for _ in range(n):
            case = report(events, grid, GARBAGE, contact_phone="13800138000")
            do(events, f"worker-{grid}", case, "网格自行处置", {"handling_note": "已清扫", **PHOTOS})
            found.setdefault(grid, []).append(case)
    return events, found


def phone(api, case: int):
    return ok(api.get(f"/instances/{case}", EVALUATOR)).get_json()["data"].get("contact_phone")


def open_round(api, seed: str | None = "seed-2026", user: str = EVALUATOR, **sample):
    body = {"scope": "dc", "period": "2026-03", "sample": sample or {"share": 0.1, "minimum": 3}}
    if seed:
        body["seed"] = seed
    return api.post("/evaluation/rounds", user, json=body)


def test_a_fixed_seed_draws_the_same_stratified_sample_with_the_minimum_per_grid(closed):
    api, cases = closed
    assert open_round(api, user="supervisor").status_code == 403  # evaluators only
    first = ok(open_round(api), 201).get_json()
    second = ok(open_round(api), 201).get_json()
    assert first["seed"] == second["seed"] == "seed-2026" and first["sample_size"] == 3 + 2 + 1
    one = ok(api.get(f"/evaluation/rounds/{first['id']}/sample", EVALUATOR)).get_json()
    two = ok(api.get(f"/evaluation/rounds/{second['id']}/sample", EVALUATOR)).get_json()
    assert one["case_ids"] == two["case_ids"] and one["grids"] == two["grids"]
    assert {g: len(ids) for g, ids in one["grids"].items()} == {"dc-dm-01": 3, "dc-dm-02": 2, "dc-bg-01": 1}
    assert all(set(ids) <= set(cases[g]) for g, ids in one["grids"].items())  # stratified by grid, in scope
    wider = ok(open_round(api, seed="seed-2026", share=0.5, minimum=1), 201).get_json()
    assert wider["sample_size"] == 3 + 1 + 1  # ceil(50 %) per grid
    fresh = ok(open_round(api, seed=None), 201).get_json()
    assert fresh["seed"] and fresh["seed"] != "seed-2026"
    empty = api.post("/evaluation/rounds", EVALUATOR, json={"scope": "dc", "period": "2026-01"})
    assert empty.status_code == 422  # nothing closed then


def test_callbacks_record_mismatches_for_the_supervisors_and_the_round_scores_the_grids(closed):
    api, cases = closed
    created = ok(open_round(api, share=0.1, minimum=1), 201).get_json()
    assert created["sample_size"] == 3  # one case per grid
    calls = api.tasks(EVALUATOR, process_key="third_party_evaluation")
    callbacks = [t for t in calls if t["name"] == "回访群众"]
    surveys = [t for t in calls if t["name"] == "社会评价问卷"]
    assert len(callbacks) == 3 and len(surveys) == 4  # the four grids of 东城街道
    assert api.tasks("supervisor", process_key="third_party_evaluation") == []
    by_grid = {}
    for task in callbacks:
        form = ok(api.get(f"/tasks/{task['id']}", EVALUATOR)).get_json()["form"]["values"]
        assert form["call"]["contact_phone"] == "13800138000"  # shown to the evaluator for these cases
        by_grid[form["call"]["grid"]] = (task, form["call"]["case_id"])
    sampled, outside = by_grid["dc-dm-02"][1], cases["xs-sq-01"][0]
    assert phone(api, sampled) == "13800138000" and phone(api, outside) is None  # the sample only
    verdicts = {"dc-dm-01": {"reached": True, "solved": False, "satisfaction": "不满意", "attitude": "一般",
                             "callback_comment": "垃圾仍未清走"},
                "dc-dm-02": {"reached": True, "solved": True, "satisfaction": "满意", "attitude": "好"},
                "dc-bg-01": {"reached": False}}
    for grid, values in verdicts.items():
        ok(api.complete(by_grid[grid][0]["id"], EVALUATOR, values))
    for task in surveys:
        grid = ok(api.get(f"/tasks/{task['id']}", EVALUATOR)).get_json()["form"]["values"]["grid_item"]["code"]
        environment = 4 if grid == "dc-dm-01" else 3
        ok(api.complete(task["id"], EVALUATOR, {"safety": 5, "environment": environment, "service": 5, "worker": 4}))

    listed = ok(api.get("/evaluation/mismatches", "supervisor", query_string={"org_unit": "dc"})).get_json()
    assert [(m["case_id"], m["grid"]) for m in listed] == [(by_grid["dc-dm-01"][1], "dc-dm-01")]
    assert ok(api.get("/evaluation/mismatches", "supervisor", query_string={"org_unit": "xs"})).get_json() == []
    assert api.get("/evaluation/mismatches", "worker-dc-dm-01").status_code == 403
    detail = ok(api.get(f"/evaluation/rounds/{created['id']}", "supervisor")).get_json()
    assert detail["progress"] == {"sample_size": 3, "called": 3, "reached": 2, "mismatches": 1, "surveys": 4,
                                  "done_share": 1.0}
    grids = {g["subject"]: g for g in detail["scores"]["grids"]}
    assert grids["dc-dm-01"]["mismatches"] == 1 and grids["dc-dm-01"]["satisfaction"] == 0
    assert grids["dc-dm-02"]["satisfaction"] == 1 and grids["dc-dm-02"]["solved"] == 1
    assert grids["dc-bg-01"]["callbacks"] == 1 and grids["dc-bg-01"]["reached"] == 0
    assert grids["dc-dm-01"]["survey"] == 90.0 and grids["dc-dm-02"]["survey"] == 85.0
    workers = {w["subject"]: w for w in detail["scores"]["workers"]}
    assert workers["worker-dc-dm-02"]["score"] == pytest.approx((100 * 40 + 100 * 40) / 80)

    close = only(api.tasks(EVALUATOR, process_key="third_party_evaluation"), "结束本轮评估")
    ok(api.complete(close["id"], EVALUATOR, {"summary": "东门社区一网格回访不符一件，需督办。"}))
    assert ok(api.get(f"/evaluation/rounds/{created['id']}", EVALUATOR)).get_json()["status"] == "closed"
    assert phone(api, sampled) is None  # the round closed: masked again
    assert [r["id"] for r in ok(api.get("/evaluation/rounds", EVALUATOR)).get_json()] == [created["id"]]
    pdf = ok(api.get(f"/evaluation/rounds/{created['id']}/report.pdf", "supervisor"))
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    xlsx = ok(api.get(f"/evaluation/rounds/{created['id']}/report.xlsx", "supervisor"))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["概况", "网格", "网格员", "回访不符"]
    assert [row[0] for row in book["回访不符"].iter_rows(min_row=2, values_only=True)] == [by_grid["dc-dm-01"][1]]
    grids_sheet = {row[1]: row for row in book["网格"].iter_rows(min_row=2, values_only=True)}
    assert grids_sheet["dc-dm-02"][4] == 1 and grids_sheet["dc-dm-01"][6] == 1  # satisfaction, mismatches
    assert api.get(f"/evaluation/rounds/{created['id']}/report.pdf", "worker-dc-dm-01").status_code == 404


def test_where_the_localitys_model_says_so_a_mismatch_reopens_the_case(closed):
    api, cases = closed
    model = (ROOT / "processes" / "third_party_evaluation" / "third_party_evaluation.bpmn").read_text()
    variant = model.replace("reopen_on_mismatch = False", "reopen_on_mismatch = True")
    ok(api.deploy({"third_party_evaluation.bpmn": variant.encode()}, locality="dc"), 201)
    ok(open_round(api, share=0.1, minimum=1), 201)
    task = next(t for t in api.tasks(EVALUATOR, process_key="third_party_evaluation") if t["name"] == "回访群众"
                and ok(api.get(f"/tasks/{t['id']}", EVALUATOR)).get_json()["form"]["values"]["call"]["grid"]
                == "dc-dm-02")
    disputed = ok(api.get(f"/tasks/{task['id']}", EVALUATOR)).get_json()["form"]["values"]["call"]["case_id"]
    ok(api.complete(task["id"], EVALUATOR, {"reached": True, "solved": False, "satisfaction": "不满意"}))
    reopened = [t for t in api.tasks("staff-dc-dm", process_key="event_handling") if t["name"] == "社区受理"]
    assert len(reopened) == 1
    detail = api.instance(reopened[0]["instance_id"])
    assert f"原案件 {disputed}" in detail["data"]["description"] and detail["org_unit"] == "dc-dm-02"


def _callbacks_of(api, round_id: int) -> dict[int, dict]:
    """The open callback tasks of one round, by case id."""
    found = {}
    for task in api.tasks(EVALUATOR, process_key="third_party_evaluation"):
        if task["name"] != "回访群众":
            continue
        call = ok(api.get(f"/tasks/{task['id']}", EVALUATOR)).get_json()["form"]["values"]["call"]
        if call["round_id"] == round_id:
            found[call["case_id"]] = task
    return found


def test_each_rounds_report_counts_only_its_own_callbacks(closed):
    api, _cases = closed
    first = ok(open_round(api, seed="one", share=1, minimum=1), 201).get_json()
    for task in _callbacks_of(api, first["id"]).values():  # round 1: every case not solved
        ok(api.complete(task["id"], EVALUATOR, {"reached": True, "solved": False, "satisfaction": "不满意"}))
    second = ok(open_round(api, seed="two", share=0.1, minimum=1), 201).get_json()
    overlap = set(ok(api.get(f"/evaluation/rounds/{second['id']}/sample", EVALUATOR)).get_json()["case_ids"])
    assert overlap <= set(ok(api.get(f"/evaluation/rounds/{first['id']}/sample", EVALUATOR)).get_json()["case_ids"])
    calls = _callbacks_of(api, second["id"])
    assert set(calls) == overlap and len(overlap) == 3  # the same cases, called again
    solved_case = min(overlap)
    for case, task in calls.items():  # round 2: one solved, the others not reached
        solved = {"reached": True, "solved": True, "satisfaction": "满意"}
        values = solved if case == solved_case else {"reached": False}
        ok(api.complete(task["id"], EVALUATOR, values))

    one = ok(api.get(f"/evaluation/rounds/{first['id']}", "supervisor")).get_json()
    two = ok(api.get(f"/evaluation/rounds/{second['id']}", "supervisor")).get_json()
    assert one["scores"]["total"]["callbacks"] == 8 and one["scores"]["total"]["mismatches"] == 8
    assert two["scores"]["total"]["callbacks"] == 3 and two["scores"]["total"]["reached"] == 1
    assert two["scores"]["total"]["mismatches"] == 0 and two["scores"]["total"]["satisfaction"] == 1
    assert sum(g["callbacks"] for g in two["scores"]["grids"]) == 3
    assert sum(w["callbacks"] for w in two["scores"]["workers"]) == 3
    assert all(g["mismatches"] == 0 for g in two["scores"]["grids"]) and two["mismatches"] == []
    assert {m["round_id"] for m in one["mismatches"]} == {first["id"]} and len(one["mismatches"]) == 8
    xlsx = ok(api.get(f"/evaluation/rounds/{second['id']}/report.xlsx", "supervisor"))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    rows = list(book["网格"].iter_rows(min_row=2, values_only=True))
    assert sum(r[2] for r in rows) == 3 and all(r[6] == 0 for r in rows)  # callbacks; no mismatches of round 1
    assert list(book["回访不符"].iter_rows(min_row=2, values_only=True)) == []
    evaluator = login(api.app, EVALUATOR)
    page = text(ok(evaluator.get(f"/evaluation/rounds/{second['id']}")))
    assert '<td colspan="5">无。</td>' in page  # round 1's mismatches are not listed in round 2's report
