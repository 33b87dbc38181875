"""The inbox like Camunda Tasklist (issue 15): sorting by due, received and urgency, saved filters,
the candidate role and unit on each card, a leader's 团队 view (the community head's tasks to
follow, defect 14), and bulk claim."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ok, sample_bundle
from tests.test_web_pages import login, text
from workflow_app.timers import scheduler

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路边垃圾堆放"}


@pytest.fixture
def three(api):
    """Three community tasks received 50 minutes apart; the second is serious (2 working hours, the
    others 4) and at 11:30 already yellow."""
    with time_machine.travel(MONDAY_9, tick=False) as clock:
        ok(api.deploy(sample_bundle()), 201)
        for what, severity in (("第一件", "general"), ("第二件", "serious"), ("第三件", "general")):
            ok(api.start("minor_event", "dc-dm-01", {**REPORT, "description": what, "severity": severity},
                         "worker-dc-dm-01"), 201)
            clock.shift(timedelta(minutes=50))
        clock.move_to(MONDAY_9.replace(hour=11, minute=30))
        scheduler.tick(api.app, plan=True)
        yield api


def order(page: str) -> list[str]:
    return re.findall(r"(第[一二三]件)", page.split('id="inbox-results"', 1)[-1])


def test_sorting_by_received_and_due(three):
    staff = login(three.app, "staff-dc-dm")
    received = order(text(staff.get("/inbox?sort=received")))
    assert received[0] == "第三件" and received[-1] == "第一件"
    assert order(text(staff.get("/inbox?sort=due"))) == ["第二件", "第一件", "第三件"]
    assert order(text(staff.get("/inbox?sort=priority"))) == ["第二件", "第一件", "第三件"]
    assert order(text(staff.get("/inbox?sort=nonsense"))) == ["第二件", "第一件", "第三件"]  # the default


def test_cards_show_the_candidate_role_and_unit(three):
    page = text(login(three.app, "staff-dc-dm").get("/inbox"))
    assert "社区工作者 · 东门社区" in page


def test_the_community_head_has_a_team_view(three):
    head = login(three.app, "head-dc-dm")
    page = text(head.get("/inbox?state=team"))
    assert len(order(page)) == 3 and ">团队" in page  # defect 14: the head's 待办 was empty
    assert "团队" not in text(login(three.app, "staff-dc-dm").get("/inbox"))  # no team to lead: no tab


def test_saved_filters(three):
    staff = login(three.app, "staff-dc-dm")
    saved = staff.post("/inbox/filters", data={"csrf_token": staff.token, "name": "超时的",
                                               "query": "state=open&overdue=1&page=3&evil=x"})
    assert saved.status_code == 302 and "overdue=1" in saved.headers["Location"]
    page = text(staff.get("/inbox"))
    assert 'href="/inbox?state=open&amp;overdue=1"' in page and "超时的" in page
    filter_id = re.search(r'/inbox/filters/(\d+)/delete', page).group(1)
    ok(staff.post(f"/inbox/filters/{filter_id}/delete", data={"csrf_token": staff.token}), 302)
    assert "超时的" not in text(staff.get("/inbox"))


def test_bulk_claim(three):
    staff = login(three.app, "staff-dc-dm")
    ids = re.findall(r'name="task_id" value="(\d+)"', text(staff.get("/inbox")))
    assert len(ids) == 3
    done = staff.post("/inbox/claim", data={"csrf_token": staff.token, "task_id": ids[:2], "back": "state=open"})
    assert done.status_code == 302
    assert "已认领 2 项" in text(staff.get("/inbox?state=mine"))
    mine = text(staff.get("/inbox?state=mine"))
    assert len(order(mine)) == 2
    again = staff.post("/inbox/claim", data={"csrf_token": staff.token, "task_id": ids[:1]})
    assert again.status_code == 302  # already theirs: claiming again is harmless
    outsider = login(three.app, "worker-xs-sq-01")
    refused = outsider.post("/inbox/claim", data={"csrf_token": outsider.token, "task_id": ids[2:]})
    assert refused.status_code == 302
    assert f"#{ids[2]}" in text(outsider.get("/inbox"))  # said why, on the page
