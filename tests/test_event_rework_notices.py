"""Who hears of a rework after a failed verification (every rework route), notifications read in
the reader's language, and the supervisor's deadline for putting it right (整改期限)."""

from datetime import datetime, timedelta

import pytest
import time_machine

from tests.support import ok, with_event_handling
from tests.test_event_handling import BEIJING, BIN_FULL, MONDAY_9, POTHOLE, do, report, task
from tests.test_web_case_pages import visible
from tests.test_web_pages import login
from workflow_app.calendar import localities
from workflow_app.extensions import db
from workflow_app.org import tree
from workflow_app.timers import scheduler


@pytest.fixture
def traveller():
    with time_machine.travel(MONDAY_9, tick=False) as clock:
        yield clock


@pytest.fixture
def events(api, traveller):
    return with_event_handling(api)


def notes(api, user: str, kind: str) -> list[dict]:
    return [n for n in api.get("/notifications", user).get_json() if n["kind"] == kind]


def _fail_verification(api, case: int, why: str = "路面仍有积水") -> None:
    do(api, "worker-dc-dm-01", case, "核查", {"verified": False, "verify_note": why})


# --- 1. a rework tells whoever it sends the case back to, on every route ------------------------

def test_a_community_rework_tells_the_community_why(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    _fail_verification(events, case, "桶边仍有垃圾")
    again = task(events, "staff-dc-dm", case, "社区处置")
    [note] = notes(events, "staff-dc-dm", "case_rework")
    assert note["task_id"] == again["id"] and note["instance_id"] == case
    assert "返工" in note["title"] and note["body"].startswith("桶边仍有垃圾")
    assert notes(events, "worker-dc-dm-01", "case_rework") == []  # not the verifier who sent it back


def test_a_town_rework_tells_the_dispatchers(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "self"})
    do(events, "dispatcher-dc", case, "镇街处置", {"handling_note": "已修补"})
    _fail_verification(events, case)
    again = task(events, "dispatcher-dc", case, "镇街处置")
    [note] = notes(events, "dispatcher-dc", "case_rework")
    assert note["task_id"] == again["id"] and "路面仍有积水" in note["body"]


def test_a_department_rework_tells_each_department_it_goes_back_to(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"]})
    for dept in ("dept-zj", "dept-cg"):
        do(events, f"{dept}-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
        do(events, f"{dept}-staff", case, "部门处置", {"handling_note": "已处置"})
    _fail_verification(events, case, "坑槽未填平")
    for dept in ("dept-zj", "dept-cg"):
        again = task(events, f"{dept}-staff", case, "部门处置")
        [note] = notes(events, f"{dept}-staff", "case_rework")
        assert note["task_id"] == again["id"] and "坑槽未填平" in note["body"] and "部门处置时限" in note["body"]


# --- 2. one notification, read in either language ------------------------------------------------

def test_notifications_read_in_the_readers_language(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj"],
                                                "dispatch_note": "尽快处置"})
    report_in = task(events, "dept-zj-staff", case, "部门报到")
    ok(events.post(f"/tasks/{report_in['id']}/urge", "supervisor", json={}), 200)
    staff = login(events.app, "dept-zj-staff")
    chinese = visible(ok(staff.get("/notifications?lang=zh"), 200).data.decode())
    assert "镇街吹哨：请按时到现场报到处置" in chinese and "部门报到时限：" in chinese
    assert "催办：部门报到" in chinese and "请尽快办理" in chinese and "尽快处置" in chinese
    english = visible(ok(staff.get("/notifications?lang=en"), 200).data.decode())
    assert "The town summons your department" in english and f"(#{case})" in english
    assert "Department reports in: due by" in english and "尽快处置" in english  # their words stay theirs
    assert "Urged: Department reports in" in english and "Please handle it as soon as you can" in english
    for chinese_only in ("镇街吹哨", "时限：", "催办：", "请尽快办理"):
        assert chinese_only not in english
    [api_note] = notes(events, "dept-zj-staff", "case_whistled")
    assert api_note["title"].startswith("镇街吹哨") and api_note["title_en"].startswith("The town summons")
    assert "部门报到时限" in api_note["body"] and "Department reports in: due by" in api_note["body_en"]


def test_the_reporter_reads_the_close_in_english(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    worker = login(events.app, "worker-dc-dm-01")
    assert "Your report was resolved and closed" in visible(ok(worker.get("/notifications?lang=en"), 200).data.decode())
    assert "您上报的事件已办结" in visible(ok(worker.get("/notifications?lang=zh"), 200).data.decode())


# --- 3. the supervisor's deadline ------------------------------------------------------------------

def _to_supervision(api, traveller) -> int:
    case = report(api, "dc-dm-01", BIN_FULL, user="resident-dc-dm")
    do(api, "staff-dc-dm", case, "社区受理", {"accepted": True})
    for _ in (1, 2):
        do(api, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已处置"})
        do(api, "worker-dc-dm-01", case, "核查", {"verified": True})
        do(api, "staff-dc-dm", case, "回访", {"satisfaction": "不满意"})
    traveller.move_to(datetime(2026, 3, 6, 15, 0, tzinfo=BEIJING))  # a Friday afternoon
    return case


def _due(api, case: int, user: str, name: str) -> datetime:
    return datetime.fromisoformat(task(api, user, case, name)["due_at"])


def test_the_handlers_are_due_by_the_supervisors_working_days(events, traveller):
    case = _to_supervision(events, traveller)
    do(events, "supervisor", case, "督办", {"supervision_opinion": "限期整改", "rectify_amount": 2,
                                          "rectify_unit": "work_days"})
    with events.app.app_context():
        expected = localities.add(datetime(2026, 3, 6, 15, 0, tzinfo=BEIJING), 2, "work_days",
                                  tree.ref_by_code("dc-dm-01"))
        db.session.remove()
    due = _due(events, case, "staff-dc-dm", "社区处置")
    assert due == expected and due.astimezone(BEIJING).weekday() == 1  # over the weekend: Tuesday
    [note] = notes(events, "staff-dc-dm", "case_supervised")
    assert due.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") in note["body"]
    traveller.move_to(due - timedelta(hours=1))  # the breach timer waits for the supervisor's deadline
    scheduler.tick(events.app, plan=True)
    assert task(events, "staff-dc-dm", case, "社区处置")["id"]


def test_the_handlers_are_due_at_the_supervisors_date_time(events, traveller):
    case = _to_supervision(events, traveller)
    do(events, "supervisor", case, "督办", {"supervision_opinion": "限期整改",
                                          "rectify_by": "2026-03-11T17:00:00+08:00"})
    assert _due(events, case, "staff-dc-dm", "社区处置") == datetime(2026, 3, 11, 17, 0, tzinfo=BEIJING)


def test_without_a_deadline_the_step_keeps_its_normal_limit(events, traveller):
    case = _to_supervision(events, traveller)
    do(events, "supervisor", case, "督办", {"supervision_opinion": "限期整改"})
    with events.app.app_context():
        expected = localities.add(datetime(2026, 3, 6, 15, 0, tzinfo=BEIJING), 4, "work_hours",
                                  tree.ref_by_code("dc-dm-01"))
        db.session.remove()
    assert _due(events, case, "staff-dc-dm", "社区处置") == expected


def test_all_notifications_are_marked_read_at_once_and_only_ones_own(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"],
                                                "lead_department": "dept-zj", "dispatch_note": "尽快处置"})
    report_in = task(events, "dept-zj-staff", case, "部门报到")
    ok(events.post(f"/tasks/{report_in['id']}/urge", "supervisor", json={}), 200)
    mine = events.get("/notifications", "dept-zj-staff").get_json()
    others = events.get("/notifications", "dept-cg-staff").get_json()
    assert len(mine) >= 2 and others
    marked = ok(events.post("/notifications/read", "dept-zj-staff", json={}), 200).get_json()
    assert marked == {"marked": len(mine)}
    assert events.get("/notifications", "dept-zj-staff").get_json() == []
    assert len(events.get("/notifications", "dept-cg-staff").get_json()) == len(others)  # theirs stay unread
    staff = login(events.app, "dept-cg-staff")
    page = ok(staff.get("/notifications"), 200).data.decode()
    assert "全部已读" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    ok(staff.post("/notifications/read", data={"csrf_token": token}), 302)
    assert "没有未读通知" in visible(ok(staff.get("/notifications"), 200).data.decode())
