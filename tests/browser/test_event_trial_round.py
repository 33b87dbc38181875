"""The evening trial's findings on a phone (390×844): a re-dispatch after a return handled by the
town, a refused form's address reloaded, each stage's own note, the town urging a department it
summoned, links only to what one may open, the context acceptance and the callback need, and an
extension approval that names the case and the person and tells the requester."""

import pytest

from tests.browser.conftest import fits, phone_as, shot
from tests.support import ROOT, ok, only, with_event_handling

POTHOLE = {"condition_code": "B0201-01", "address": "北关路18号", "description": "路面坑槽积水"}
BIN_FULL = {"condition_code": "B0301-01", "address": "东门小区3幢", "description": "垃圾桶满溢"}


@pytest.fixture
def events(api):
    return with_event_handling(api)


def _by_api(events, case: int, username: str, *steps) -> None:
    for name, data in steps:
        ok(events.complete(only(events.tasks(username, instance_id=case), name)["id"], username, data), 200)


def _returned_case(events) -> int:
    case = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _by_api(events, case, "dispatcher-dc", ("镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg",
                                                                                            "dept-jt"],
                                                      "lead_department": "dept-cg"}))
    _by_api(events, case, "dept-jt-staff", ("部门报到", {"check_in_note": "到场", "action": "return",
                                                     "return_reason": "非交通设施"}))
    for dept in ("dept-zj", "dept-cg"):
        _by_api(events, case, f"{dept}-staff", ("部门报到", {"check_in_note": "已到现场", "action": "handle"}),
                ("部门处置", {"handling_note": f"{dept}已处置"}))
    return case


def test_the_town_takes_back_a_returned_case_and_a_refused_form_reloads(browser, live, events):
    case = _returned_case(events)
    decision = only(events.tasks("dispatcher-dc", instance_id=case), "镇街研判")["id"]
    town, page = phone_as(browser, live, "dispatcher-dc")
    page.goto(f"/tasks/{decision}")
    assert "非交通设施" in page.inner_text("[data-field=return_summary]")
    assert "住房和城乡建设局" in page.inner_text("[data-field=departments_done]")
    assert page.input_value("#f-lead_department") == ""
    shot(page, "t1-redispatch-form")
    assert fits(page)
    page.check("input[name=decision][value=whistle]")
    for box in page.locator("input[name=departments]:checked").all():
        box.uncheck()
    page.fill("#f-dispatch_note", "请住建复核")
    page.click("#task-form button[type=submit]")  # no department ticked: refused
    assert page.locator(".field-errors").count() >= 1
    assert page.url.endswith(f"/tasks/{decision}/complete")
    page.goto(page.url)  # the address bar's reload: a GET
    assert page.url.endswith(f"/tasks/{decision}") and "405" not in page.inner_text("main")
    page.wait_for_function("document.querySelector('#f-dispatch_note').value === '请住建复核'")  # the draft
    shot(page, "t5-reload-after-422")
    page.check("input[name=decision][value=self]")
    page.select_option("#f-lead_department", "dept-cg")  # a leftover choice does not block 镇街自办
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    town.close()
    assert only(events.tasks("dispatcher-dc", instance_id=case), "镇街处置")


def test_each_stage_keeps_its_own_note(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", BIN_FULL, "worker-dc-dm-01"), 201).get_json()["id"]
    _by_api(events, case, "staff-dc-dm", ("社区处置", {"community_result": "cannot_solve",
                                                    "handling_note": "社区协调物业未果"}))
    _by_api(events, case, "dispatcher-dc", ("镇街研判", {"decision": "self", "dispatch_note": "镇街自办"}))
    town, page = phone_as(browser, live, "dispatcher-dc")
    page.goto(f"/tasks/{only(events.tasks('dispatcher-dc', instance_id=case), '镇街处置')['id']}")
    assert page.input_value("#f-handling_note") == ""
    shot(page, "t2-town-handle-empty")
    page.fill("#f-handling_note", "镇街组织环卫清运")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    page.goto(f"/cases/{case}")
    notes = page.locator(".stage-note")
    assert notes.count() == 2 and "社区协调物业未果" in notes.first.inner_text()
    assert "镇街组织环卫清运" in notes.nth(1).inner_text()
    shot(page, "t2-case-stage-notes")
    assert fits(page)
    town.close()


def test_the_town_urges_and_departments_see_only_their_links(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _by_api(events, case, "dispatcher-dc", ("镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"]}))
    _by_api(events, case, "dept-zj-staff", ("部门报到", {"check_in_note": "已到现场",
                                                     "check_in_location": {"text": "北关路18号东侧"},
                                                     "action": "handle"}))
    _by_api(events, case, "dept-zj-staff", ("部门处置", {"handling_note": "已修补"}))
    report_in = only(events.tasks("dept-cg-staff", instance_id=case), "部门报到")["id"]
    town, page = phone_as(browser, live, "dispatcher-dc")
    page.goto(f"/tasks/{report_in}")
    page.click("details:has(#urge-message) summary")
    page.fill("#urge-message", "请今天到场")
    shot(page, "t3-town-urge")
    page.click(f"form[action='/tasks/{report_in}/urge'] button[type=submit]")
    assert "已催办" in page.inner_text("main")
    dept, page2 = phone_as(browser, live, "dept-cg-staff")
    page2.goto("/notifications")
    assert "请今天到场" in page2.inner_text("main") and "催办人" in page2.inner_text("main")
    shot(page2, "t3-dept-urged")
    page2.goto(f"/cases/{case}")
    assert page2.locator(f"a[href='/tasks/{report_in}']").count() == 1
    shot(page2, "t4-dept-case-links")
    dept.close()
    _by_api(events, case, "dept-cg-staff", ("部门报到", {"check_in_note": "到场", "action": "handle"}),
            ("部门处置", {"handling_note": "已设围挡"}))
    page.goto(f"/cases/{case}")
    assert "北关路18号东侧" in page.inner_text(".department-report [data-check-in] >> nth=0")
    shot(page, "t6-case-check-in")
    town.close()


def test_a_department_sees_no_link_to_another_departments_task(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _by_api(events, case, "dispatcher-dc", ("镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"]}))
    theirs = only(events.tasks("dept-zj-staff", instance_id=case), "部门报到")["id"]
    dept, page = phone_as(browser, live, "dept-cg-staff")
    page.goto(f"/cases/{case}")
    assert page.locator(f"a[href='/tasks/{theirs}']").count() == 0 and page.locator("[data-not-yours]").count() == 1
    shot(page, "t4-dept-case-plain")
    dept.close()


def test_acceptance_callback_and_extension_show_what_they_need(browser, live, events):
    body = {**BIN_FULL, "contact_phone": "13800000000", "photos": ["uploads/bin.jpg"]}
    case = ok(events.start("event_handling", "dc-dm-01", body, "resident-dc-dm"), 201).get_json()["id"]
    staff, page = phone_as(browser, live, "staff-dc-dm")
    page.goto(f"/tasks/{only(events.tasks('staff-dc-dm', instance_id=case), '社区受理')['id']}")
    assert "垃圾桶" in page.inner_text("[data-field=condition_code]")
    assert page.locator("[data-field=photos] a, [data-field=photos] img").count() >= 1
    shot(page, "t6-accept")
    _by_api(events, case, "staff-dc-dm", ("社区受理", {"accepted": True}))
    ok(events.deploy({"sla_extension.bpmn": (ROOT / "processes/sla_extension/sla_extension.bpmn").read_bytes()}), 201)
    handle = only(events.tasks("staff-dc-dm", instance_id=case), "社区处置")["id"]
    ok(events.post(f"/tasks/{handle}/extension", "staff-dc-dm",
                   json={"amount": 2, "unit": "work_hours", "reason": "等物业开门"}), 201)
    staff.close()
    head, page = phone_as(browser, live, "head-dc-dm")
    page.goto("/inbox")
    shot(page, "t7-head-inbox")
    approval = only(events.tasks("head-dc-dm"), "延期审批")["id"]
    page.goto(f"/tasks/{approval}")
    text = page.inner_text("main")
    assert "2 个工作时" in text and "东门社区" in text and "staff-dc-dm" not in text and "2.0" not in text
    assert f"垃圾桶满溢（#{case}）" in page.inner_text(".card strong >> nth=0")  # the card names the case
    shot(page, "t7-approval")
    page.check("input[name=approved][value=true]")
    page.fill("#f-approval_note", "同意，今天内办完")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    head.close()
    staff, page = phone_as(browser, live, "staff-dc-dm")
    page.goto("/notifications")
    assert "您的延期申请已批准" in page.inner_text("main") and "同意，今天内办完" in page.inner_text("main")
    shot(page, "t7-requester-told")
    _by_api(events, case, "staff-dc-dm", ("社区处置", {"community_result": "resolved", "handling_note": "已清运"}))
    _by_api(events, case, "worker-dc-dm-01", ("核查", {"verified": True}))
    page.goto(f"/tasks/{only(events.tasks('staff-dc-dm', instance_id=case), '回访')['id']}")
    assert "13800000000" in page.inner_text("[data-field=contact_phone]")
    shot(page, "t6-callback-phone")
    assert fits(page)
    staff.close()
