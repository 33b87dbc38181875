"""Photos on a task page, in a real browser (defect 6): taking a photo in an evidence field uploads
it at once and ticks it, without reloading the page, so what was typed stays; the case page on a
phone zooms the diagram to the active step, and on a desktop shows the summary by name."""

import pytest

from tests.browser.conftest import PHONE, log_in
from tests.browser.test_field_reports import POSITION, png
from tests.support import ok, only, with_event_handling

DESKTOP = {"width": 1366, "height": 900}
GARBAGE = {"condition_code": "E0101-01", "address": "东门路12号", "description": "路边暴露垃圾"}


@pytest.fixture
def events(api):
    return with_event_handling(api)


def context_of(browser, live, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live.url, geolocation=POSITION,
                                  permissions=["geolocation"])
    context.set_default_timeout(10_000)
    return context


def take_photo(page, field: str, name: str) -> None:
    with page.expect_file_chooser() as chooser:
        page.click(f"[data-field={field}] label.camera")
    chooser.value.set_files({"name": name, "mimeType": "image/png", "buffer": png()})
    page.wait_for_selector(f"[data-field={field}] input[type=checkbox]:checked")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_photos_attach_without_a_reload_and_typed_text_stays(browser, live, events, viewport):
    case = ok(events.start("event_handling", "dc-dm-01", GARBAGE, "worker-dc-dm-01"), 201).get_json()["id"]
    task = only(events.tasks("worker-dc-dm-01", instance_id=case), "网格自行处置")
    context = context_of(browser, live, viewport)
    page = context.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto(f"/tasks/{task['id']}")
    page.fill("#f-handling_note", "已清扫，垃圾已清运")
    page.evaluate("window.notReloaded = true")
    take_photo(page, "before_photos", "before.png")
    take_photo(page, "after_photos", "after.png")
    assert page.evaluate("window.notReloaded === true")
    assert page.input_value("#f-handling_note") == "已清扫，垃圾已清运"
    assert page.locator("[data-field=before_photos] img.thumb").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    detail = events.instance(case)
    assert detail["status"] == "completed"
    assert len(detail["data"]["before_photos"]) == 1 and len(detail["data"]["after_photos"]) == 1
    context.close()


def test_the_case_page_zooms_to_the_active_step_on_a_phone(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", {**GARBAGE, "condition_code": "B0301-01"},
                           "worker-dc-dm-01"), 201).get_json()["id"]
    for viewport, zoomed in ((PHONE, True), (DESKTOP, False)):
        context = context_of(browser, live, viewport)
        page = context.new_page()
        log_in(page, "staff-dc-dm")
        page.goto(f"/cases/{case}")
        page.wait_for_selector(".diagram[data-ready='1']")
        assert (page.get_attribute(".diagram", "data-zoomed") == "community_handle") is zoomed
        summary = page.inner_text("dl.summary")
        assert "垃圾桶满溢" in summary and "B0301-01" not in summary and "condition_code" not in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        context.close()
