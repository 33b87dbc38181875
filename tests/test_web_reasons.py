"""Tasks that come back say why (issue 15, defects 8, 9 and 10), in the model and its forms:
a re-dispatch shows the departments' return reasons and is not born overdue, departments see the
dispatcher's 派遣意见, the other departments and the lead by name, a rework after a failed 核查
says so, and 核查 不通过 needs a reason."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ok, only, with_event_handling
from tests.test_web_case_pages import visible
from tests.test_web_field import login
from workflow_app import clock as platform_clock

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
POTHOLE = {"condition_code": "B0201-01", "address": "北门路", "description": "路面坑槽"}
BIN_FULL = {"condition_code": "B0301-01", "address": "东门小区3幢", "description": "垃圾桶满溢"}


@pytest.fixture
def traveller(api):
    with time_machine.travel(MONDAY_9, tick=False) as moving:
        with_event_handling(api)
        yield moving


def do(api, user, case, name, data):
    ok(api.complete(only(api.tasks(user, instance_id=case), name)["id"], user, data), 200)


def page_of(api, user, case, name) -> str:
    task = only(api.tasks(user, instance_id=case), name)
    return visible(ok(login(api.app, user).get(f"/tasks/{task['id']}"), 200).data.decode())


def test_departments_see_the_dispatch_and_a_redispatch_says_why_and_is_not_overdue(api, traveller):
    case = ok(api.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    summons = {"decision": "whistle", "departments": ["dept-zj", "dept-jt"], "lead_department": "dept-zj",
               "dispatch_note": "两部门联合处置，住建牵头"}
    do(api, "dispatcher-dc", case, "镇街研判", summons)
    report_in = page_of(api, "dept-jt-staff", case, "部门报到")
    assert "派遣意见" in report_in and "两部门联合处置，住建牵头" in report_in
    assert "牵头部门" in report_in and "dept-zj" not in report_in and "dept-jt" not in report_in  # names, not codes
    do(api, "dept-zj-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
    do(api, "dept-jt-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "return",
                                              "return_reason": "非交通设施，属住建职责"})
    traveller.shift(timedelta(days=3))  # long after the first town clock ran out
    do(api, "dept-zj-staff", case, "部门处置", {"handling_note": "已修补坑槽"})
    redispatch = only(api.tasks("dispatcher-dc", instance_id=case), "镇街研判")
    due = datetime.fromisoformat(redispatch["due_at"])
    assert due > platform_clock.now() and redispatch["sla_state"] == "green"  # defect 9: not born overdue
    page = page_of(api, "dispatcher-dc", case, "镇街研判")
    assert "非交通设施，属住建职责" in page and "回退部门" in page  # defect 8: the return reason
    assert "上交原因 —" not in page.replace("\n", " ")


def test_a_rework_after_a_failed_verification_says_so(api, traveller):
    case = ok(api.start("event_handling", "dc-dm-01", BIN_FULL, "worker-dc-dm-01"), 201).get_json()["id"]
    first = page_of(api, "staff-dc-dm", case, "社区处置")
    assert "返工原因" not in first  # a first-time task has no rework banner
    do(api, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    verify = only(api.tasks("worker-dc-dm-01", instance_id=case), "核查")
    refused = ok(api.complete(verify["id"], "worker-dc-dm-01", {"verified": False}), 422)
    assert "verify_note" in refused.get_json()["errors"]  # defect 10: 不通过 needs a reason, from the form
    do(api, "worker-dc-dm-01", case, "核查", {"verified": False, "verify_note": "桶边仍有散落垃圾"})
    again = page_of(api, "staff-dc-dm", case, "社区处置")
    assert "返工原因" in again and "核查不通过" in again and "桶边仍有散落垃圾" in again
    assert "第几次返工" in again  # the round, labelled by the form


def test_the_web_form_refuses_a_failed_verification_without_a_reason(api, traveller):
    case = ok(api.start("event_handling", "dc-dm-01", BIN_FULL, "worker-dc-dm-01"), 201).get_json()["id"]
    do(api, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    verify = only(api.tasks("worker-dc-dm-01", instance_id=case), "核查")
    worker = login(api.app, "worker-dc-dm-01")
    token = re.search(r'name="csrf_token" value="([^"]+)"', worker.get(f"/tasks/{verify['id']}").data.decode()).group(1)
    answer = ok(worker.post(f"/tasks/{verify['id']}/complete", data={"csrf_token": token, "verified": "false"}), 422)
    field = answer.data.decode().split('data-field="verify_note"', 1)[1].split("</div>", 3)
    assert "必填" in "".join(field)
