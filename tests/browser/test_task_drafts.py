"""Drafts and photos across a reload or a refused post, in Chromium (issue 15): what is typed into a
task form is kept in the browser (per task and person) and put back after a reload, and goes once the
form was taken; a photo chosen on the report form before a validation error is still attached (with
its thumbnail) on the page that comes back, and reaches the case when the report is sent again."""

import pytest

from tests.browser.conftest import PHONE, log_in
from tests.browser.test_field_reports import png
from tests.browser.test_field_tasks import DESKTOP, GARBAGE, context_of, take_photo
from tests.support import ok, only, with_event_handling
from workflow_app.extensions import db
from workflow_app.models import ProcessInstance


@pytest.fixture
def events(api):
    return with_event_handling(api)



def _drafts(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('wf-draft:'))")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_typed_text_survives_a_reload_and_goes_after_the_submit(browser, live, events, viewport):
    case = ok(events.start("event_handling", "dc-dm-01", GARBAGE, "worker-dc-dm-01"), 201).get_json()["id"]
    task = only(events.tasks("worker-dc-dm-01", instance_id=case), "网格自行处置")
    context = context_of(browser, live, viewport)
    page = context.new_page()
    log_in(page, "worker-dc-dm-01")
    assert not page.locator("form[data-draft]").count() and _drafts(page) == []  # the login form keeps nothing
    page.goto(f"/tasks/{task['id']}")
    assert page.is_hidden("[data-draft-note]")
    page.fill("#f-handling_note", "已清扫一半，等待清运车")
    page.fill("#comment-text", "这条意见不在办理表单里")
    page.wait_for_function("Object.keys(localStorage).some(k => k.startsWith('wf-draft:task-'))")
    page.reload()
    assert page.input_value("#f-handling_note") == "已清扫一半，等待清运车"
    assert page.is_visible("[data-draft-note]")
    [key] = _drafts(page)
    assert f"task-{task['id']}-user-" in key and "csrf" not in page.evaluate(f"localStorage.getItem('{key}')")

    other = context.browser.new_context(viewport=viewport, base_url=live.url)  # another person, another browser
    other_page = other.new_page()
    log_in(other_page, "gridlead-dc-dm-01")
    other_page.goto(f"/tasks/{task['id']}")
    assert other_page.locator("#f-handling_note").count() == 0 or other_page.input_value("#f-handling_note") == ""
    other.close()

    take_photo(page, "before_photos", "before.png")
    take_photo(page, "after_photos", "after.png")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    assert _drafts(page) == []
    assert events.instance(case)["data"]["handling_note"] == "已清扫一半，等待清运车"
    context.close()


def test_a_refused_submit_keeps_the_draft_and_the_server_values_win(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", GARBAGE, "worker-dc-dm-01"), 201).get_json()["id"]
    task = only(events.tasks("worker-dc-dm-01", instance_id=case), "网格自行处置")
    context = context_of(browser, live, PHONE)
    page = context.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto(f"/tasks/{task['id']}")
    page.fill("#f-handling_note", "只写了说明，没拍照")
    page.click("#task-form button[type=submit]")
    page.wait_for_selector(".field-errors")
    assert page.input_value("#f-handling_note") == "只写了说明，没拍照"
    assert len(_drafts(page)) == 1  # refused: the draft stays
    page.goto(f"/tasks/{task['id']}")
    assert page.input_value("#f-handling_note") == "只写了说明，没拍照"
    context.close()


def test_a_report_photo_survives_a_validation_error(browser, live, events):
    context = context_of(browser, live, PHONE)
    page = context.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.wait_for_function("!!window.WorkflowOutbox")
    page.fill("input[data-filter-select='f-condition_code']", "垃圾桶满溢")
    page.fill("#f-address", "东门小区3幢")  # no description: the server refuses it
    with page.expect_file_chooser() as chooser:
        page.click("label.camera")
    chooser.value.set_files({"name": "before-error.png", "mimeType": "image/png", "buffer": png()})
    page.wait_for_selector("[data-field=photos] [data-previews] img")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".field-errors")
    page.wait_for_function("(document.querySelector('[data-field=photos] [data-previews] img') || {}).naturalWidth > 0")
    assert page.evaluate("document.querySelector('input[data-photo-input]').files.length") == 1
    assert page.input_value("#f-address") == "东门小区3幢"
    page.fill("#f-description", "垃圾桶满溢，补写了描述")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    with events.app.app_context():
        [instance] = db.session.query(ProcessInstance).all()
        photos = instance.data.get("photos")
        db.session.remove()
    assert isinstance(photos, list) and len(photos) == 1
    context.close()


def test_a_task_photo_survives_a_validation_error(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", GARBAGE, "worker-dc-dm-01"), 201).get_json()["id"]
    task = only(events.tasks("worker-dc-dm-01", instance_id=case), "网格自行处置")
    context = context_of(browser, live, PHONE)
    page = context.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto(f"/tasks/{task['id']}")
    page.fill("#f-handling_note", "已清扫")
    take_photo(page, "before_photos", "before.png")  # no 'after' photo: refused
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("[data-field=after_photos] .field-errors")
    ticked = "[data-field=before_photos] input[type=checkbox]:checked"
    assert page.locator(ticked).count() == 1
    assert page.locator("[data-field=after_photos] input[type=checkbox]:checked").count() == 0
    page.wait_for_function("(document.querySelector('[data-field=before_photos] img.thumb') || {}).naturalWidth > 0")
    take_photo(page, "after_photos", "after.png")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    data = events.instance(case)["data"]
    assert len(data["before_photos"]) == 1 and len(data["after_photos"]) == 1
    context.close()
