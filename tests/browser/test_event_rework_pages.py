"""Rework and supervision on a phone (390×844): the grid worker fails the verification with a reason,
the department and the town dispatcher read the rework notice (in Chinese and English), and the
supervisor's deadline (整改期限) is what the community is then told and held to."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import fits, phone_as, shot
from tests.support import ok, only, with_event_handling

POTHOLE = {"condition_code": "B0201-01", "address": "北关路18号", "description": "路面坑槽积水"}
BIN_FULL = {"condition_code": "B0301-01", "address": "东门路3号", "description": "垃圾桶满溢"}


@pytest.fixture
def events(api):
    return with_event_handling(api)



def _do(api, user, case, name, data):
    ok(api.complete(only(api.tasks(user, instance_id=case), name)["id"], user, data))


def _fail_verification(browser, live, api, case):
    worker, page = phone_as(browser, live, "worker-dc-dm-01")
    page.goto(f"/tasks/{only(api.tasks('worker-dc-dm-01', instance_id=case), '核查')['id']}")
    page.check("input[name=verified][value=false]")
    page.fill("#f-verify_note", "坑槽未填平，仍有积水")
    shot(page, "r1-worker-verify")
    assert fits(page)
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    worker.close()


def _reads_rework(browser, live, username):
    person, page = phone_as(browser, live, username)
    page.goto("/notifications?lang=zh")
    text = page.inner_text("main")
    assert "核查不通过：请返工整改" in text and "坑槽未填平，仍有积水" in text and "时限：" in text
    shot(page, f"r2-{username}-zh")
    assert fits(page)
    page.goto("/notifications?lang=en")
    text = page.inner_text("main")
    assert "Verification failed: please rework it" in text and ": due by " in text and "时限：" not in text
    shot(page, f"r3-{username}-en")
    page.click("main .card button[name=open]")
    page.wait_for_url("**/tasks/*")
    person.close()


def test_a_failed_verification_reaches_the_department_and_the_town(browser, live, events):
    whistled = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _do(events, "dispatcher-dc", whistled, "镇街研判", {"decision": "whistle", "departments": ["dept-zj"]})
    _do(events, "dept-zj-staff", whistled, "部门报到", {"check_in_note": "到场", "action": "handle"})
    _do(events, "dept-zj-staff", whistled, "部门处置", {"handling_note": "已修补"})
    _fail_verification(browser, live, events, whistled)
    _reads_rework(browser, live, "dept-zj-staff")
    town = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _do(events, "dispatcher-dc", town, "镇街研判", {"decision": "self"})
    _do(events, "dispatcher-dc", town, "镇街处置", {"handling_note": "已修补"})
    _fail_verification(browser, live, events, town)
    _reads_rework(browser, live, "dispatcher-dc")


def test_the_supervisor_sets_a_deadline_on_the_phone(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", BIN_FULL, "resident-dc-dm"), 201).get_json()["id"]
    _do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    for _ in (1, 2):
        _do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已处置"})
        _do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
        _do(events, "staff-dc-dm", case, "回访", {"satisfaction": "不满意"})
    supervisor, page = phone_as(browser, live, "supervisor")
    page.goto(f"/tasks/{only(events.tasks('supervisor', instance_id=case), '督办')['id']}")
    assert "整改期限" in page.inner_text("main")
    page.fill("#f-supervision_opinion", "责成社区每日巡查")
    page.fill("#f-rectify_amount", "2")
    page.keyboard.press("Tab")  # done typing (see the report: a click straight from a number field was lost)
    assert page.is_checked("input[name=rectify_unit][value=work_days]")  # the form's default
    shot(page, "s1-supervisor-deadline")
    assert fits(page)
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    supervisor.close()
    again = only(events.tasks("staff-dc-dm", instance_id=case), "社区处置")
    community, page = phone_as(browser, live, "staff-dc-dm")
    page.goto("/notifications")
    text = page.inner_text("main")
    assert "督办：请按督办意见限期整改" in text and "责成社区每日巡查" in text
    due = datetime.fromisoformat(again["due_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"社区处置时限：{due:%Y-%m-%d %H:%M}前" in text  # two working days from the order
    shot(page, "s2-community-told")
    page.goto(f"/tasks/{again['id']}?lang=en")
    shot(page, "s3-community-task-en")
    assert fits(page)
    community.close()
