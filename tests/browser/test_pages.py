"""The key journeys in a real browser: login on a phone, a form completed after a validation
error, the case diagram drawn by bpmn-js, a designer deploying a new version from the modeler,
and the supervisors' board showing a breached task."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tests.browser.conftest import log_in
from tests.browser.test_designer_drafts import play_test_run
from tests.support import ok, only, sample_bundle
from workflow_app.timers import scheduler

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路边垃圾堆放"}
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_login_shows_the_inbox_on_a_phone(page, api):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    page.goto("/inbox")
    assert "/login" in page.url
    page.fill("#username", "staff-dc-dm")
    page.fill("#password", "wrong")
    page.click(".login button[type=submit]")
    assert page.locator("p.error").inner_text() == "用户名或密码错误"
    log_in(page, "staff-dc-dm")
    assert page.locator("h1").inner_text() == "我的待办"
    assert page.locator("article.task.green h3").inner_text() == "社区处置"
    assert no_sideways_scroll(page)
    page.click("text=English")
    assert page.locator("h1").inner_text() == "My tasks"


def test_form_completed_after_a_validation_error(page, api):
    ok(api.deploy(sample_bundle()), 201)
    instance_id = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()["id"]
    task_id = only(api.tasks("staff-dc-dm"), "社区处置")["id"]
    log_in(page, "staff-dc-dm")
    page.click(f"article[data-task-id='{task_id}'] >> text=办理")
    page.fill("#f-handling_note", "x")
    page.click("#task-form button[type=submit]")
    field = page.locator("[data-field=handling_note]")
    assert field.locator(".field-errors").inner_text() == "内容太短"
    assert page.input_value("#f-handling_note") == "x"
    assert no_sideways_scroll(page)
    page.fill("#f-handling_note", "已清理，现场恢复整洁")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    assert "已提交：社区处置" in page.locator(".flash.ok").inner_text()
    page.goto(f"/cases/{instance_id}")
    page.wait_for_selector(".diagram[data-ready='1']")
    assert page.locator(".djs-element.m-active[data-element-id='verify']").count() == 1
    assert page.locator(".djs-element.m-done[data-element-id='community_handle']").count() == 1


def test_designer_deploys_a_new_version_from_the_modeler(page, api):
    ok(api.deploy(sample_bundle()), 201)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "designer")
    page.goto("/designer/minor_event/versions/1/edit")
    page.wait_for_selector("#modeler[data-ready='1']")
    page.evaluate("""() => {
        const modeler = window.workflowModeler;
        const task = modeler.get('elementRegistry').get('verify');
        modeler.get('modeling').updateLabel(task, '核查结案（复核）');
    }""")
    page.click("#save-draft")  # the modeler saves a draft (issue 15: nothing goes live unpublished)
    page.wait_for_url("**/designer/drafts/*")
    play_test_run(page)  # publishing needs a passing test run of the draft (issue 15)
    page.fill("#publish-comment", "核查环节改名")
    page.click("#publish-confirm")
    page.wait_for_url("**/designer/minor_event")
    assert "已发布 minor_event v2" in page.locator(".flash.ok").inner_text()
    page.click("article[data-version='2'] >> text=与上一版比较")
    page.wait_for_selector(".compare .diagram[data-ready='1'] >> nth=1")
    assert "修改 (1)" in page.locator(".legend").inner_text()
    assert page.locator(".djs-element.m-changed[data-element-id='verify']").count() == 2


def test_supervisors_board_shows_a_breached_task(page, api):
    with time_machine.travel(MONDAY_9, tick=True) as traveller:
        ok(api.deploy(sample_bundle()), 201)
        ok(api.start("minor_event", "dc-dm-01", {**REPORT, "severity": "minor", "description": "井盖松动"},
                     "worker-dc-dm-01"), 201)
        traveller.move_to(MONDAY_9.replace(hour=11, minute=30))  # 2 working hours have passed
        assert scheduler.tick(api.app, plan=True)["red"] == 1
        log_in(page, "supervisor")
        page.click("nav >> text=督查")
        assert "清溪县" in page.locator("h1").inner_text()
        breach = page.locator("article.task.red")
        assert breach.locator("h3 a").inner_text() == "网格自行处置"
        page.click("table >> text=东城街道")
        page.wait_for_url("**org_unit=dc**")
        assert page.locator("article.task.red").count() == 1
        assert page.locator(".chart svg").count() == 2
        assert no_sideways_scroll(page)
