"""Trial 3 on a phone: a saved inbox filter keeps what is selected now (the filters update in place);
the report form keeps a draft (text, 立案条件, position, photos) over a reload; 我上报的 opens
offline with the reports waiting on the phone, and a report page reloaded offline says it waits
for the network; location failures in words with what to do; a resident's status view shows a
refusal with its reason, one status on the list and the page, the case by its event."""

import pytest

from tests.browser import test_field_reports as reports
from tests.browser.conftest import PHONE, log_in
from tests.browser.test_field_reports import fill_report, png
from tests.support import ok, only

events, phone = reports.events, reports.phone  # the field-report fixtures: event handling, a phone with GPS


def resident_in(page):
    """A resident logs in (where they land is the menu's business, not this test's)."""
    page.goto("/login")
    page.fill("#username", "resident-dc-dm")
    page.fill("#password", "demo123")
    page.click(".login button[type=submit]")
    page.wait_for_function("!location.pathname.startsWith('/login')")


def take_photo(page, name="camera.png"):
    with page.expect_file_chooser() as chooser:
        page.click("label.camera")
    chooser.value.set_files({"name": name, "mimeType": "image/png", "buffer": png()})
    page.wait_for_selector("[data-field=photos] [data-previews] img")


def test_a_saved_filter_keeps_the_filters_selected_now(phone, events):
    ok(events.start("event_handling", "dc-dm-01", {"condition_code": "B0301-01", "address": "东门",
                                                     "description": "垃圾满溢"}, "worker-dc-dm-01"), 201)
    page = phone.new_page()
    log_in(page, "staff-dc-dm")
    process = page.eval_on_selector("#process", "s => [...s.options].map(o => o.value).filter(Boolean)[0]")
    page.select_option("#process", process)
    page.wait_for_url(f"**process={process}**")  # the URL follows the filters (htmx, in place)
    page.select_option("#sort", "received")
    page.wait_for_url("**sort=received**")
    page.click("text=保存当前筛选")
    page.fill("#filter-name", "按接收")
    page.click(".saved-filters details button[type=submit]")
    page.wait_for_selector(".saved-filters a.chip")
    href = page.get_attribute(".saved-filters a.chip", "href")
    assert f"process={process}" in href and "sort=received" in href
    page.goto(href)
    assert page.input_value("#sort") == "received" and page.input_value("#process") == process


def test_the_report_form_keeps_a_draft_over_a_reload_until_it_is_sent(phone, events):
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    fill_report(page, "草稿：垃圾桶满溢")
    take_photo(page)
    page.click("[data-locate]")
    page.wait_for_function("document.querySelector('[data-point]').textContent.includes('±8')")
    page.wait_for_function("WorkflowOutbox.drafts.all().then(a => a.some(e => e.files.length))")
    page.reload()
    page.wait_for_selector("[data-field=photos] [data-previews] img")
    assert page.is_visible("[data-draft-note]")
    assert page.input_value("#f-description") == "草稿：垃圾桶满溢" and page.input_value("#f-address") == "东门小区3幢"
    assert page.input_value("#f-condition_code") == "B0301-01"
    assert "30.27412, 120.15515" in page.inner_text("[data-point]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    page.wait_for_function("(document.querySelector('.thumbs img') || {}).naturalWidth > 0")  # the photo went
    page.wait_for_function("WorkflowOutbox.all().then(a => a.length === 0)")
    page.wait_for_function("WorkflowOutbox.drafts.all().then(a => a.length === 0)")  # the draft's photos went
    page.goto("/report/event_handling")
    assert page.is_hidden("[data-draft-note]") and page.input_value("#f-description") == ""
    assert page.locator("[data-field=photos] [data-previews] img").count() == 0


def test_my_reports_opens_offline_with_the_waiting_reports(phone, events):
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto("/reports/mine")  # under the service worker: kept for offline use
    page.goto("/report/event_handling")
    page.wait_for_function("!!window.WorkflowOutbox")
    phone.set_offline(True)
    fill_report(page, "离线时的上报")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#outbox-note[data-state=saved]")
    page.reload()
    page.wait_for_selector("#outbox-note[data-state=waiting]")
    assert "联网后" in page.inner_text("#outbox-note") and page.is_hidden("[data-draft-note]")
    assert page.input_value("#f-description") == ""  # queued: no draft left
    page.goto("/reports/mine")
    page.wait_for_selector("#outbox-list li")
    assert "离线时的上报" in page.inner_text("#outbox-list")
    phone.set_offline(False)
    page.goto("/report/event_handling")
    page.wait_for_function("WorkflowOutbox.all().then(a => a.length === 0)")


@pytest.mark.parametrize("lang, words", [("zh", "允许"), ("en", "allow")])
def test_a_refused_location_says_what_to_do(browser, live, events, lang, words):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)  # no geolocation permission
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto(f"/report/event_handling?lang={lang}")
    assert page.inner_text("[data-point]").strip() == ""
    page.click("[data-locate]")
    page.wait_for_function("!document.querySelector('[data-point]').textContent.includes('…')")
    text = page.inner_text("[data-point]")
    assert words in text.lower() and "User denied" not in text and "Geolocation" not in text
    context.close()


def test_a_resident_sees_why_their_report_was_refused(phone, events):
    page = phone.new_page()
    resident_in(page)
    page.goto("/report/event_handling")
    page.select_option("#f-org_unit", "dc-dm-01")
    fill_report(page, "楼下垃圾桶满了")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    case = int(page.url.rsplit("/", 1)[1])
    page.goto("/reports/mine")
    assert page.inner_text(f"[data-case-id='{case}'] .chip") == "已收到"
    ok(events.complete(only(events.tasks("staff-dc-dm", instance_id=case), "社区受理")["id"], "staff-dc-dm",
                       {"accepted": False, "reject_reason": "该点位属物业管理区域，请联系物业"}), 200)
    page.reload()
    assert page.inner_text(f"[data-case-id='{case}'] .chip") == "未予受理"
    page.goto(f"/cases/{case}")
    main = page.inner_text("main")
    assert "该点位属物业管理区域，请联系物业" in page.inner_text("[data-answers]")
    assert page.inner_text("[data-stage]") == "未予受理" and "已结案" not in main
    assert "您的评价" not in main and "回访" not in main
    assert "事件处置" not in page.inner_text("h1") and "楼下垃圾桶满了" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_sees_staff_answers_apart_from_what_they_reported(phone, events):
    page = phone.new_page()
    resident_in(page)
    page.goto("/report/event_handling")
    page.select_option("#f-org_unit", "dc-dm-01")
    fill_report(page, "楼下垃圾桶又满了")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    case = int(page.url.rsplit("/", 1)[1])
    ok(events.complete(only(events.tasks("staff-dc-dm", instance_id=case), "社区受理")["id"], "staff-dc-dm",
                       {"accepted": True}), 200)
    page.goto("/reports/mine")
    listed = page.inner_text(f"[data-case-id='{case}'] .chip")
    page.goto(f"/cases/{case}")
    assert page.inner_text("[data-stage]") == listed == "处理中"
    for name, user, data in (("社区处置", "staff-dc-dm", {"community_result": "resolved", "handling_note": "已清运"}),
                             ("核查", "worker-dc-dm-01", {"verified": True}),
                             ("回访", "staff-dc-dm", {"satisfaction": "满意"})):
        ok(events.complete(only(events.tasks(user, instance_id=case), name)["id"], user, data), 200)
    page.reload()
    assert page.inner_text("[data-stage]") == "已办结"
    reported = page.inner_text("[data-reported]")
    assert "满意" not in reported and "已清运" not in reported and "楼下垃圾桶又满了" in reported
    assert "已清运" in page.inner_text("[data-answers]") and "满意" in page.inner_text(".status-steps")
