"""The supervisors' board: counts and drill-down by unit, breached tasks, weekly charts; and the
weekly report numbers (sla/reports.py)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ok, only, sample_bundle
from tests.test_web_pages import login, text
from workflow_app.extensions import db
from workflow_app.org import people
from workflow_app.sla import reports
from workflow_app.timers import scheduler

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
MINOR = {"category": "environment", "severity": "minor", "description": "井盖松动", "address": "东门路"}
GENERAL = {**MINOR, "severity": "general", "description": "路灯不亮"}


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        yield traveller


@pytest.fixture
def breached(api, clock):
    """One grid task past its 2 working hours (red), one community task still green."""
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201)
    ok(api.start("minor_event", "xs-sq-01", GENERAL, "worker-xs-sq-01"), 201)
    clock.move_to(MONDAY_9.replace(hour=11, minute=30))
    assert scheduler.tick(api.app, plan=True)["red"] == 1
    return only(api.tasks("worker-dc-dm-01"), "网格自行处置")


def test_board_shows_the_breach_and_drills_down(api, breached):
    browser = login(api.app, "supervisor")
    county = text(browser.get("/supervision"))
    assert "督查看板" in county and "清溪县" in county and "网格自行处置" in county and "井盖松动" in county
    assert 'href="/supervision?org_unit=dc&amp;colour=red"' in county and "东城街道" in county
    assert "<svg" in county and "按期办结率" in county
    town = text(browser.get("/supervision?org_unit=dc"))
    assert "东门社区" in town and "网格自行处置" in town
    grid = text(browser.get("/supervision?org_unit=dc-dm-01"))
    assert "网格自行处置" in grid and "清溪县</a>" in grid  # breadcrumbs back up
    elsewhere = text(browser.get("/supervision?org_unit=xs"))
    assert "网格自行处置" not in elsewhere and "没有超时或预警的任务" in elsewhere
    at_risk = text(browser.get("/supervision?org_unit=xs&colour=at_risk"))
    assert "没有超时或预警的任务" in at_risk  # the community task is still green


def test_town_leader_starts_at_their_town_and_may_not_look_elsewhere(api, breached):
    leader = login(api.app, "leader-dc")
    page = text(leader.get("/supervision"))
    assert "东城街道" in page and "网格自行处置" in page
    assert leader.get("/supervision?org_unit=xs").status_code == 403
    assert leader.get("/supervision?org_unit=nowhere").status_code == 422
    assert login(api.app, "staff-dc-dm").get("/supervision").status_code == 403


def test_weekly_report_counts_on_time_and_backlog(api, breached, clock):
    worker = only(api.tasks("worker-dc-dm-01"), "网格自行处置")
    assert api.complete(worker["id"], "worker-dc-dm-01", {"handling_note": "已加固"}).status_code == 200
    clock.move_to(MONDAY_9 + timedelta(days=7))  # the next week
    community = only(api.tasks("staff-xs-sq"), "社区处置")
    with api.app.app_context():
        report = reports.weekly(people.get("supervisor"), None, weeks=2)
        db.session.remove()
    assert [w.label for w in report.weeks] == ["2026-W10", "2026-W11"]
    by_code = {s.code: s for s in report.units}
    dc, xs = by_code["dc"].weeks, by_code["xs"].weeks
    assert (dc[0].completed, dc[0].on_time, dc[0].rate) == (1, 0, 0.0)  # completed late
    assert dc[0].backlog == 1  # the verify task opened on completion is open at the week's end
    assert xs[0].completed == 0 and xs[0].overdue == 1 and xs[0].rate == 0.0  # open and late: due, not done
    assert community["due_at"] and xs[0].backlog + by_code["xs"].weeks[1].backlog >= 1
    assert "qingxi" not in by_code  # nothing is scoped at the county itself


def test_the_on_time_rate_counts_open_overdue_work_as_due():
    """按期办结率 = 按期办结 ÷ 应办结 (办结 + 周末仍超时未办结): open late work lowers it."""
    week = reports.WeekCounts(completed=1, on_time=1, backlog=2, overdue=1)
    assert week.due == 2 and week.rate == 0.5
    assert reports.WeekCounts(backlog=3, overdue=2).rate == 0.0  # nothing done, work late: 0 %, not "no data"
    assert reports.WeekCounts(backlog=3).rate is None  # nothing due yet


def test_the_overdue_multiple_is_explained_and_weeks_read_as_dates(api, breached):
    browser = login(api.app, "supervisor")
    page = text(browser.get("/supervision?org_unit=qingxi"))
    assert "已用时长 ÷ 时限" in page  # 超时倍数 is explained where it is shown
    assert "3月2日–8日" in page and "-W10" not in page  # the ISO week as its dates
    english = text(browser.get("/supervision?org_unit=qingxi&lang=en"))
    assert "Dongcheng Subdistrict" in english or "Dongcheng" in english
    assert "东城街道" not in english.split("<main")[-1]  # units by their English names
    assert "Mar 2–8" in english


def test_a_task_without_a_limit_says_why_it_has_no_multiple(api):
    from types import SimpleNamespace

    from workflow_app.web.supervision import limit_note

    with api.app.test_request_context("/supervision"):
        assert limit_note(SimpleNamespace(over_limit=None, due_at=None, sla_started_at=None)) == "没有时限"
        assert limit_note(SimpleNamespace(over_limit=None, due_at=MONDAY_9, sla_started_at=None)) == "尚未开始计时"
        assert limit_note(SimpleNamespace(over_limit=2.5, due_at=MONDAY_9, sla_started_at=MONDAY_9)) is None
