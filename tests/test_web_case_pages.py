"""The case page for people (issue 15, defects 11 and 12), 我上报的 and the reporter's notifications."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ok, only, with_event_handling
from tests.test_web_field import login

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REPORT = {"condition_code": "B0301-01", "address": "东门小区3幢", "description": "垃圾桶满溢",
          "contact_phone": "13800000000"}
INTERNAL = ("standard", "chosen_severity", "previous_dues", "community_limit", "handle_limit", "reported_by_grid",
            "needs_callback", "whistle_round", "suggested_departments")
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def visible(page: str) -> str:
    """The text a person reads on the page (no tags, attributes or scripts)."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", main, flags=re.S))


@pytest.fixture
def events(api):
    with time_machine.travel(MONDAY_9, tick=False):
        with_event_handling(api)
        yield api


def do(api, user, case, name, data):
    current = only([t for t in api.tasks(user, instance_id=case)], name)
    ok(api.complete(current["id"], user, data), 200)


def resident_case(api) -> int:
    return ok(api.start("event_handling", "dc-dm-01", REPORT, "resident-dc-dm"), 201).get_json()["id"]


def test_staff_see_a_summary_by_name_not_internal_keys(events):
    case = ok(events.start("event_handling", "dc-dm-01", {**REPORT, "condition_code": "B0201-01"},
                           "worker-dc-dm-01"), 201).get_json()["id"]
    page = ok(login(events.app, "dispatcher-dc").get(f"/cases/{case}"), 200).data.decode()
    body = visible(page)
    for key in INTERNAL:
        assert key not in body, key
    assert not ISO.search(body)  # times are local and readable (defect 11)
    assert "B0201-01" not in body and "路面坑槽" in body  # the filing condition by name (defect 12)
    assert "立案条件" in body and "问题描述" in body and "东门小区3幢" in body
    assert "更新：" not in body and "condition_code" not in body  # the timeline names fields by their titles
    assert "挂在环节 town_decide" not in body and "community_handle" not in body
    assert "data-bpmn-url" in page  # staff keep the diagram


def test_a_resident_sees_a_status_view_without_internal_data_or_diagram(events):
    case = resident_case(events)
    resident = login(events.app, "resident-dc-dm")
    page = ok(resident.get(f"/cases/{case}"), 200).data.decode()
    body = visible(page)
    assert "data-bpmn-url" not in page and "diagram.js" not in page
    assert "已收到" in body and "处理中" in body and "已办结" in body and "您的评价" in body
    assert "流程图" not in body
    for key in (*INTERNAL, "condition_code", "initiator", "possible_duplicates"):
        assert key not in body, key
    assert not ISO.search(body)
    assert "垃圾桶满溢" in body
    ok(resident.get(f"/cases/{case}/diagram/event_handling.bpmn"), 404)


def test_my_reports_and_notifications_follow_the_case_to_its_close(events):
    case = resident_case(events)
    resident = login(events.app, "resident-dc-dm")
    mine = ok(resident.get("/reports/mine"), 200).data.decode()
    assert f'data-case-id="{case}"' in mine and "已收到" in mine  # as the case page says (one mapping)
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    inbox = ok(resident.get("/reports/mine"), 200).data.decode()
    assert "处理中" in inbox
    assert re.search(r'class="badge"[^>]*>1<', inbox)  # 通知 has an unread badge (defect 14)
    notes = ok(resident.get("/notifications"), 200).data.decode()
    assert "已受理" in notes
    assert "Your report was accepted" in ok(resident.get("/notifications?lang=en"), 200).data.decode()
    ok(resident.get("/inbox?lang=zh"), 200)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    do(events, "staff-dc-dm", case, "回访", {"satisfaction": "满意"})
    notes = ok(resident.get("/notifications"), 200).data.decode()
    assert "已办结" in notes
    status = ok(resident.get(f"/cases/{case}"), 200).data.decode()
    assert status.count('class="done"') == 4 and "满意" in status
    mine = ok(resident.get("/reports/mine"), 200).data.decode()
    assert "已办结" in mine


def test_everyone_has_my_reports(events):
    for username in ("worker-dc-dm-01", "dispatcher-dc", "supervisor"):
        page = ok(login(events.app, username).get("/reports/mine"), 200).data.decode()
        assert "我上报的" in page


def test_reopened_and_escalated_are_told(events):
    case = resident_case(events)
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve", "handling_note": "需镇街协调"})
    resident = login(events.app, "resident-dc-dm")
    assert "上级" in ok(resident.get("/notifications"), 200).data.decode()


def test_a_grid_worker_is_not_told_what_they_did_themselves(events):
    case = ok(events.start("event_handling", "dc-dm-01", {**REPORT, "condition_code": "E0101-01"},
                           "worker-dc-dm-01"), 201).get_json()["id"]
    worker = login(events.app, "worker-dc-dm-01")
    assert "已受理" not in visible(ok(worker.get("/notifications"), 200).data.decode())  # they filed it
    timeline = visible(ok(worker.get(f"/cases/{case}"), 200).data.decode())
    assert "已受理，正在处置" in timeline  # the milestone is still on the case's timeline
