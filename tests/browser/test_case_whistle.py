"""The whistle loop on a phone (390×844), as the three people who do it: the town dispatcher
summons two departments (a lead outside them is refused on the form, in Chinese), a department
hears of it, reports in and reports back with a photo, and the grid worker verifies with the
departments' reports in front of them; the case page keeps the whistle record and the reports."""


import pytest

from tests.browser.conftest import fits, phone_as, shot
from tests.browser.test_field_reports import png
from tests.support import ok, only, with_event_handling

POTHOLE = {"condition_code": "B0201-01", "address": "北关路18号", "description": "路面坑槽积水"}


@pytest.fixture
def events(api):
    return with_event_handling(api)



def _town_summons(browser, live, decision_id: int) -> None:
    town, page = phone_as(browser, live, "dispatcher-dc")
    page.goto(f"/tasks/{decision_id}")
    page.check("input[name=decision][value=whistle]")
    page.check("input[name=departments][value=dept-cg]")
    page.uncheck("input[name=departments][value=dept-zj]")  # the catalogue's suggestion, ticked already
    page.select_option("#f-lead_department", "dept-zj")  # not among those ticked
    page.fill("#f-dispatch_note", "住建修补、城管设警示")
    page.click("#task-form button[type=submit]")
    assert "须是上面已选的项之一" in page.inner_text("[data-field=lead_department] .field-errors")
    shot(page, "1-town-lead-refused")
    assert fits(page)
    page.check("input[name=departments][value=dept-zj]")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    town.close()


def _department_reports(browser, live, events, case: int) -> None:
    dept, page = phone_as(browser, live, "dept-zj-staff")
    page.goto("/notifications")
    assert "镇街吹哨" in page.inner_text("main")
    shot(page, "2-department-notified")
    page.goto(f"/tasks/{only(events.tasks('dept-zj-staff', instance_id=case), '部门报到')['id']}")
    page.fill("#f-check_in_note", "已到现场")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    page.goto(f"/tasks/{only(events.tasks('dept-zj-staff', instance_id=case), '部门处置')['id']}")
    page.fill("#f-handling_note", "已修补坑槽，现场恢复通行")
    with page.expect_file_chooser() as chooser:
        page.click("[data-field=after_photos] label.camera")
    chooser.value.set_files({"name": "after.png", "mimeType": "image/png", "buffer": png()})
    page.wait_for_selector("[data-field=after_photos] input[type=checkbox]:checked")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    dept.close()
    _by_api(events, case, "dept-cg-staff", ("部门报到", {"check_in_note": "到场", "action": "handle"}),
            ("部门处置", {"handling_note": "已设置警示围挡"}))


def _by_api(events, case: int, username: str, *steps) -> None:
    for name, data in steps:
        ok(events.complete(only(events.tasks(username, instance_id=case), name)["id"], username, data), 200)


def _worker_verifies(browser, live, events, case: int) -> None:
    worker, page = phone_as(browser, live, "worker-dc-dm-01")
    verify = only(events.tasks("worker-dc-dm-01", instance_id=case), "核查")
    page.goto(f"/tasks/{verify['id']}")
    shown = page.inner_text("[data-field=department_handling]")
    assert "住房和城乡建设局（住房和城乡建设局处置人员）：已修补坑槽" in shown and "城市管理局" in shown
    assert page.locator("[data-field=department_photos] img").count() == 1
    shot(page, "3-worker-verify")
    assert fits(page)
    page.goto(f"/cases/{case}")
    assert "住房和城乡建设局、城市管理局" in page.inner_text(".whistle-round")
    assert page.inner_text(".whistle-round [data-lead]") == "住房和城乡建设局"
    reports = page.locator(".department-report")
    assert reports.count() == 2 and reports.first.locator("img").count() == 1
    shot(page, "4-worker-case-page")
    assert fits(page)
    page.goto(f"/tasks/{verify['id']}")
    page.check("input[name=verified][value=true]")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    page.goto("/notifications")
    assert "已办结" in page.inner_text("main")
    shot(page, "5-worker-closed-notice")
    worker.close()


def test_the_whistle_loop_on_a_phone(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _town_summons(browser, live, only(events.tasks("dispatcher-dc", instance_id=case), "镇街研判")["id"])
    _department_reports(browser, live, events, case)
    _worker_verifies(browser, live, events, case)

def test_a_failed_case_tells_the_reporter_in_plain_words_on_a_phone(browser, live, events, monkeypatch):
    from workflow_app.org import functions

    def broken(code):
        raise RuntimeError("Traceback: unit lookup exploded")

    monkeypatch.setattr(functions, "_unit_name", broken)
    case = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _by_api(events, case, "dispatcher-dc", ("镇街研判", {"decision": "whistle", "departments": ["dept-zj"]}))
    _by_api(events, case, "dept-zj-staff", ("部门报到", {"check_in_note": "到场", "action": "handle"}),
            ("部门处置", {"handling_note": "已处置"}))
    assert events.instance(case)["status"] == "error"
    worker, page = phone_as(browser, live, "worker-dc-dm-01")
    page.goto(f"/cases/{case}")
    text = page.inner_text("main")
    assert "此事件处理遇到故障，已通知管理员处理" in text and "exploded" not in text and "Traceback" not in text
    shot(page, "6-worker-case-error")
    page.goto(f"/cases/{case}?lang=en")
    assert "the administrators have been told" in page.inner_text("main") and "exploded" not in page.inner_text("main")
    worker.close()
    admin, page = phone_as(browser, live, "admin")
    page.goto(f"/cases/{case}")
    assert "exploded" in page.inner_text("main")
    admin.close()


def test_the_record_after_a_return_and_the_town_doing_it_itself(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _by_api(events, case, "dispatcher-dc", ("镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-jt"],
                                                      "lead_department": "dept-jt"}))
    _by_api(events, case, "dept-jt-staff", ("部门报到", {"check_in_note": "到场", "action": "return",
                                                     "return_reason": "非交通设施"}))
    _by_api(events, case, "dept-zj-staff", ("部门报到", {"check_in_note": "到场", "action": "handle"}),
            ("部门处置", {"handling_note": "已修补"}))
    _by_api(events, case, "dispatcher-dc", ("镇街研判", {"decision": "self", "dispatch_note": "镇街收尾"}))
    town, page = phone_as(browser, live, "dispatcher-dc")
    page.goto(f"/cases/{case}")
    record = page.locator(".whistle-round")
    assert record.count() == 1
    assert record.locator("[data-returned]").inner_text() == "交通运输局：非交通设施"
    assert record.locator("[data-handled]").inner_text() == "住房和城乡建设局"
    assert record.locator("[data-then]").inner_text() == "镇街自办"
    assert "交通运输局" not in page.inner_text(".summary")
    shot(page, "7-town-record-after-return")
    assert fits(page)
    town.close()
