"""The coverage report matches the visits recorded: per child unit (county → town → community → grid)
and month, due, met, not at home, refused, coverage = met ÷ due, unpaired special-group households,
problems, events started and closed, visits per person; as JSON and CSV."""

import csv
import io

import pytest
import time_machine

from tests.service_day_support import (
    GARBAGE,
    at,
    deploy_all,
    household,
    import_households,
    pair,
    set_rule,
    task_named,
    tick,
)
from tests.support import ok


def label_of(api, task, user) -> str:
    detail = ok(api.get(f"/tasks/{task['id']}", user)).get_json()
    return detail["form"]["values"]["household_label"].split("（")[0]


def record(api, user: str, code: str, data: dict) -> None:
    [task] = [t for t in task_named(api, user, "visit") if label_of(api, t, user) == code]
    ok(api.complete(task["id"], user, data))


def confirm(api, grid: str) -> None:
    [plan] = task_named(api, f"gridlead-{grid}", "confirm_plan")
    ok(api.complete(plan["id"], f"gridlead-{grid}", {"theme": "敬老助老"}))


@pytest.fixture
def visited(api):
    """October's service day in 东城 and 西山, visits recorded: met, not at home, refused, one open."""
    with time_machine.travel(at(2026, 9, 20), tick=False):
        deploy_all(api)
        ids = import_households(api, [
            household("C-A", "dc-dm-01", elderly_alone=True), household("C-B", "dc-dm-01", hardship=True),
            household("C-C", "dc-dm-01", hardship=True), household("C-D", "dc-dm-01", disability=True),
            household("C-E", "dc-dm-01"), household("C-F", "dc-dm-02", hardship=True),
            household("C-G", "xs-sq-01", disability=True)])
        for code, user in (("C-A", "gridlead-dc-dm-01"), ("C-B", "worker-dc-dm-01"), ("C-C", "worker-dc-dm-01"),
                           ("C-G", "worker-xs-sq-01")):
            pair(api, ids[code], user)
        set_rule(api, "qingxi", {"day": 1})
    with time_machine.travel(at(2026, 10, 8, 9), tick=False):
        tick(api)
        for grid in ("dc-dm-01", "dc-dm-02", "xs-sq-01"):
            confirm(api, grid)
        record(api, "gridlead-dc-dm-01", "C-A", {"outcome": "met", "problem_found": True, "problem_code": GARBAGE,
                                                 "problem_description": "门口垃圾"})
        record(api, "worker-dc-dm-01", "C-B", {"outcome": "not_home"})
        record(api, "worker-dc-dm-01", "C-C", {"outcome": "refused"})
        record(api, "worker-dc-dm-02", "C-F", {"outcome": "met"})
        record(api, "worker-xs-sq-01", "C-G", {"outcome": "not_home"})
    return api


def coverage(api, unit: str, month: str = "2026-10", user: str = "supervisor") -> dict:
    return ok(api.get(f"/service-day/coverage?org_unit={unit}&month={month}", user)).get_json()


def row(report: dict, code: str) -> dict:
    [found] = [r for r in report["rows"] if r["code"] == code]
    return found


def test_the_counts_match_the_visits_recorded(visited):
    report = coverage(visited, "dc-dm")
    grid1 = row(report, "dc-dm-01")
    counts = {k: grid1[k] for k in ("due", "met", "not_home", "refused", "open", "unpaired", "problems",
                                    "events_started", "events_closed", "visits")}
    assert counts == {"due": 4, "met": 1, "not_home": 1, "refused": 1, "open": 1, "unpaired": 1, "problems": 1,
                      "events_started": 1, "events_closed": 0, "visits": 3}
    assert grid1["coverage"] == 0.25 and grid1["coverage_percent"] == 25.0
    grid2 = row(report, "dc-dm-02")
    assert (grid2["due"], grid2["met"], grid2["coverage"], grid2["unpaired"]) == (1, 1, 1.0, 1)
    assert report["totals"]["due"] == 5 and report["totals"]["coverage"] == 0.4
    people = {p["username"]: (p["visits"], p["met"], p["not_home"], p["refused"]) for p in report["people"]}
    assert people == {"gridlead-dc-dm-01": (1, 1, 0, 0), "worker-dc-dm-01": (2, 0, 1, 1),
                      "worker-dc-dm-02": (1, 1, 0, 0)}


def test_it_drills_down_from_the_county_to_the_grid(visited):
    county = coverage(visited, "qingxi")
    assert [r["code"] for r in county["rows"]] == ["dc", "xs", "nh"]
    assert (row(county, "dc")["due"], row(county, "dc")["met"]) == (5, 2)
    assert (row(county, "xs")["due"], row(county, "xs")["not_home"], row(county, "xs")["coverage"]) == (1, 1, 0.0)
    assert row(county, "nh")["due"] == 0 and row(county, "nh")["coverage"] is None
    town = coverage(visited, "dc", user="leader-dc")
    assert [r["code"] for r in town["rows"]] == ["dc-dm", "dc-bg"]
    grid = coverage(visited, "dc-dm-01", user="gridlead-dc-dm-01")
    assert grid["totals"]["due"] == 4 and grid["totals"]["met"] == 1
    assert coverage(visited, "dc-dm", month="2026-11")["totals"]["due"] == 0
    ok(visited.get("/service-day/coverage?org_unit=dc-dm&month=2026-10", "worker-dc-dm-01"), 403)
    ok(visited.get("/service-day/coverage?org_unit=xs&month=2026-10", "leader-dc"), 403)
    ok(visited.get("/service-day/coverage?org_unit=dc-dm&month=2026-1x", "supervisor"), 422)


def test_a_closed_event_and_a_later_cadence_visit_count_in_their_month(visited):
    api = visited
    with time_machine.travel(at(2026, 10, 9, 10), tick=False):
        event = [t for t in api.tasks("worker-dc-dm-01") if t["name"] == "网格自行处置"][0]
        ok(api.complete(event["id"], "worker-dc-dm-01", {"handling_note": "已清理", "before_photos": ["uploads/a.jpg"],
                                                         "after_photos": ["uploads/b.jpg"]}))
        record(api, "worker-dc-dm-01", "C-D", {"outcome": "not_home"})  # disability: again in 14 days
    with time_machine.travel(at(2026, 10, 23, 9), tick=False):
        assert tick(api)["visits_due"] == 3  # C-D and C-G (disability: 14 days), C-A (elderly: weekly)
        [again] = task_named(api, "worker-dc-dm-01", "visit", process_key="household_visit")
        ok(api.complete(again["id"], "worker-dc-dm-01", {"outcome": "met"}))
    grid1 = row(coverage(api, "dc-dm"), "dc-dm-01")
    assert (grid1["due"], grid1["met"], grid1["not_home"], grid1["refused"], grid1["open"]) == (4, 2, 1, 1, 0)
    assert (grid1["events_started"], grid1["events_closed"], grid1["visits"]) == (1, 1, 5)


def test_the_report_downloads_as_csv(visited):
    response = ok(visited.get("/service-day/coverage?org_unit=dc-dm&month=2026-10&format=csv", "supervisor"))
    assert response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][:3] == ["单位", "代码", "应走访户数"]
    by_code = {line[1]: line for line in lines[1:]}
    assert by_code["dc-dm-01"][2:8] == ["4", "1", "1", "1", "1", "25.0"]
    assert by_code["dc-dm"][0] == "合计" and by_code["dc-dm"][2] == "5"
