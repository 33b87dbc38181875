"""The scheduler starts the grid service day: one case per grid on its service day, exactly once, none on
other days — in process, as ``flask scheduler --once`` under a moved clock, and as two scheduler
processes on PostgreSQL. The county's and each town's planning tasks open N working days before, with an SLA."""

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest
import time_machine

from tests.conftest import ON_POSTGRES
from tests.service_day_support import (
    at,
    cases,
    deploy_all,
    household,
    import_households,
    put,
    set_rule,
    task_named,
    tick,
    tick_at,
)
from tests.support import ROOT, ok

GRIDS = 12


def grid_cases(api) -> Counter:
    return Counter(c["unit"] for c in cases(api))


def scheduler_at(database_url: str, moment: datetime) -> subprocess.Popen:
    """``flask --app workflow_app scheduler --once`` in its own process, its clock moved to ``moment``."""
    code = ("import datetime, sys, time_machine; "
            f"time_machine.travel(datetime.datetime.fromisoformat({moment.isoformat()!r}), tick=False).start(); "
            "sys.argv = ['flask', '--app', 'workflow_app', 'scheduler', '--once']; "
            "from flask.cli import main; main()")
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1",
           "SECRET_KEY": "test-" + "k" * 40}
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finished(process: subprocess.Popen) -> dict:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def county(api):
    """The models deployed on 20 September 2026 and the county's rule: the 1st of each month."""
    with time_machine.travel(at(2026, 9, 20), tick=False):
        deploy_all(api)
        set_rule(api, "qingxi", {"day": 1})
    return api


def test_one_case_per_grid_on_the_service_day_and_none_on_other_days(county):
    api = county
    set_rule(api, "dc", {"weekday": "fri", "nth": 1}, user="leader-dc")
    for day in (20, 30):
        assert tick_at(api, at(2026, 9, day))["started"] <= 4  # the county's and towns' planning, no service day
    assert grid_cases(api) == Counter()
    assert tick_at(api, at(2026, 10, 7, 23))["started"] == 0
    assert tick_at(api, at(2026, 10, 8, 0, 1))["started"] == GRIDS  # 1 Oct (and 2 Oct) moved here
    assert tick_at(api, at(2026, 10, 8, 17))["started"] == 0
    assert tick_at(api, at(2026, 10, 9))["started"] == 0
    assert set(grid_cases(api).values()) == {1} and len(grid_cases(api)) == GRIDS
    assert tick_at(api, at(2026, 11, 2))["started"] == 8 + 1  # xs and nh on the 1st (a Sunday: the 2nd); dc plans
    assert tick_at(api, at(2026, 11, 6))["started"] == 4  # 东城街道: the first Friday
    assert set(grid_cases(api).values()) == {2}
    started = cases(api)[0]
    assert started["data"]["scheduled_for"] == "2026-10-07T16:00:00+00:00" and started["data"]["month"] == "2026-10"


def test_a_service_day_the_scheduler_missed_is_skipped_not_started_late(county):
    api = county
    tick_at(api, at(2026, 9, 30))
    assert tick_at(api, at(2026, 10, 9, 8))["started"] == 0
    assert grid_cases(api) == Counter()
    assert tick_at(api, at(2026, 11, 2, 8))["started"] == GRIDS


def test_a_clock_moved_past_missed_days_onto_a_service_day_starts_that_day_in_one_run(county):
    api = county
    tick_at(api, at(2026, 9, 30))  # October's day planned, then nothing runs until December
    assert tick_at(api, at(2026, 12, 1, 10))["started"] == GRIDS
    assert {c["data"]["month"] for c in cases(api)} == {"2026-12"}
    assert tick_at(api, at(2027, 1, 20))["started"] == 0  # January's day was missed: none on another day


def test_a_rule_changed_after_the_day_does_not_start_that_month_again(county):
    api = county
    assert tick_at(api, at(2026, 10, 8))["started"] == GRIDS
    with time_machine.travel(at(2026, 10, 9), tick=False):
        set_rule(api, "qingxi", {"day": 15})
        assert tick(api)["started"] == 0
    assert tick_at(api, at(2026, 10, 15))["started"] == 0  # October has had its service day
    assert tick_at(api, at(2026, 11, 16))["started"] == GRIDS  # 15 November is a Sunday


def test_the_town_plans_the_theme_n_working_days_before_as_an_inbox_task_with_an_sla(county):
    api = county
    with time_machine.travel(at(2026, 9, 20), tick=False):
        set_rule(api, "qingxi", {"day": 15}, lead_days=5)
    assert tick_at(api, at(2026, 10, 8, 23))["started"] == 0  # 15 Oct: 5 working days back is Friday the 9th
    with time_machine.travel(at(2026, 10, 9, 0, 5), tick=False):
        assert tick(api)["started"] == 4  # one planning case for the county and one per town
        [plan] = task_named(api, "leader-dc", "set_theme")
        [county_plan] = task_named(api, "supervisor", "set_theme")  # the county sets its own theme too
        assert county_plan["org_unit"] == "qingxi" and county_plan["role"] == "county_supervisor"
        ok(api.complete(county_plan["id"], "supervisor", {"theme": "平安家园", "projects": ["消防检查"]}))
        assert plan["due_at"] == "2026-10-14T16:00:00+00:00"  # before the service day begins
        assert plan["org_unit"] == "dc" and plan["role"] == "town_leader"
        ok(api.complete(plan["id"], "leader-dc", {"theme": "敬老助老", "projects": ["上门理发", "用电检查"]}))
        assert task_named(api, "leader-xs", "set_theme")  # the other towns' own tasks
    with time_machine.travel(at(2026, 10, 15, 8), tick=False):
        assert tick(api)["started"] == GRIDS
        [confirm] = task_named(api, "gridlead-dc-dm-01", "confirm_plan")
        values = ok(api.get(f"/tasks/{confirm['id']}", "gridlead-dc-dm-01")).get_json()["form"]["values"]
        assert values["theme"] == "敬老助老" and values["service_date"] == "2026-10-15"
        months = ok(api.get("/service-day/schedule?org_unit=dc-bg-01&year=2026", "worker-dc-bg-01")).get_json()
        assert months[9]["theme"] == "敬老助老" and months[9]["theme_source"] == "dc"
        [other] = task_named(api, "gridlead-xs-sq-01", "confirm_plan")  # 西山镇 set none: the county's theme
        assert ok(api.get(f"/tasks/{other['id']}", "gridlead-xs-sq-01")).get_json()["form"]["values"]["theme"] == \
            "平安家园"


def test_a_service_day_started_by_hand_counts_for_its_month_and_a_second_is_refused(county):
    api = county
    assert tick_at(api, at(2026, 10, 8))["started"] == GRIDS
    with time_machine.travel(at(2026, 10, 8, 15), tick=False):
        refused = ok(api.start("grid_service_day", "dc-dm-01", {}, "gridlead-dc-dm-01"), 409)
        assert "2026-10" in refused.get_json()["message"]
    with time_machine.travel(at(2026, 10, 20), tick=False):  # November's, held early in one grid
        early = ok(api.start("grid_service_day", "dc-dm-02", {}, "gridlead-dc-dm-02"), 201).get_json()
        assert api.instance(early["id"])["data"]["month"] == "2026-11"
        ok(api.start("grid_service_day", "dc-dm-02", {}, "resident-dc-dm"), 403)
    assert tick_at(api, at(2026, 11, 2))["started"] == GRIDS - 1
    assert grid_cases(api)["dc-dm-01"] == 2 and grid_cases(api)["dc-dm-02"] == 2


def test_flask_scheduler_once_under_a_moved_clock(county, database_url):
    api = county
    planning = finished(scheduler_at(database_url, at(2026, 10, 7, 12)))
    assert planning["started"] == 4  # the county's and towns' planning only
    assert grid_cases(api) == Counter()
    assert finished(scheduler_at(database_url, at(2026, 10, 8, 10)))["started"] == GRIDS
    assert finished(scheduler_at(database_url, at(2026, 10, 8, 11)))["started"] == 0
    assert set(grid_cases(api).values()) == {1} and len(grid_cases(api)) == GRIDS
    ok(put(api, "/service-day/settings?locality=xs", "leader-xs", {"rule": {"day": 20}}))
    assert finished(scheduler_at(database_url, at(2026, 11, 2, 10)))["started"] == 8  # dc, nh; xs on the 20th
    assert grid_cases(api)["xs-sq-01"] == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="scheduler nodes share work through PostgreSQL row locks")
def test_two_scheduler_processes_start_each_grid_exactly_once(county, database_url):
    api = county
    nodes = [scheduler_at(database_url, at(2026, 10, 8, 9)) for _ in range(2)]
    reports = [finished(node) for node in nodes]
    assert sum(r["started"] for r in reports) == GRIDS
    counts = grid_cases(api)
    assert len(counts) == GRIDS and set(counts.values()) == {1}, counts
    assert finished(scheduler_at(database_url, at(2026, 10, 8, 15)))["started"] == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="scheduler nodes share work through PostgreSQL row locks")
def test_two_scheduler_processes_open_each_due_visit_exactly_once(county, database_url):
    api = county
    with time_machine.travel(at(2026, 9, 21), tick=False):
        import_households(api, [household(f"N-{n}", grid, elderly_alone=True)
                                for n, grid in enumerate(("dc-dm-01", "dc-dm-01", "xs-sq-01", "nh-yz-02"))])
    with time_machine.travel(at(2026, 10, 8, 9), tick=False):
        tick(api)
        for grid in ("dc-dm-01", "xs-sq-01", "nh-yz-02"):
            [plan] = task_named(api, f"gridlead-{grid}", "confirm_plan")
            ok(api.complete(plan["id"], f"gridlead-{grid}", {"theme": "敬老"}))
            for visit in task_named(api, f"worker-{grid}", "visit"):
                ok(api.complete(visit["id"], f"worker-{grid}", {"outcome": "met"}))
    nodes = [scheduler_at(database_url, at(2026, 10, 15, 9)) for _ in range(2)]
    assert sum(finished(node)["visits_due"] for node in nodes) == 4
    opened = Counter(c["data"]["household_id"] for c in cases(api, "household_visit") if c["data"]["mode"] == "visit")
    assert len(opened) == 4 and set(opened.values()) == {1}, opened
