"""Field work in a real browser (issue 15): a grid worker on a 390-px phone reports with a camera
photo (a fake camera: the file chooser the capture input opens) and a mocked GPS position; a report
made offline is kept on the phone and sent once when the connection returns, even if the page is
reloaded while sending; a resident follows their report in 我上报的 and is told when it closes."""

import struct
import threading
import time
import zlib

import pytest

from tests.browser.conftest import PHONE, log_in
from tests.support import HANG, ok, only, with_event_handling
from workflow_app.extensions import db
from workflow_app.inbox import reporting
from workflow_app.models import ProcessInstance, StartRequest

POSITION = {"latitude": 30.27412, "longitude": 120.15515, "accuracy": 8}


def png(width: int = 4, height: int = 4) -> bytes:
    """A real (tiny, red) PNG, so the page can show it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + b"\xff\0\0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def events(api):
    return with_event_handling(api)


@pytest.fixture
def phone(browser, live, events):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url, geolocation=POSITION,
                                  permissions=["geolocation"])
    context.set_default_timeout(10_000)
    yield context
    context.close()


def count(app, model) -> int:
    with app.app_context():
        n = db.session.query(model).count()
        db.session.remove()
        return n


def fill_report(page, description: str) -> None:
    page.fill("input[data-filter-select='f-condition_code']", "垃圾桶满溢")
    assert page.input_value("#f-condition_code") == "B0301-01"  # the search picked the only match
    page.fill("#f-address", "东门小区3幢")
    page.fill("#f-description", description)


def test_a_grid_worker_reports_with_a_camera_photo_and_gps(phone, events):
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    fill_report(page, "垃圾桶满溢，周边有异味")
    with page.expect_file_chooser() as chooser:
        page.click("label.camera")
    chooser.value.set_files({"name": "camera.png", "mimeType": "image/png", "buffer": png()})
    page.wait_for_selector("[data-field=photos] [data-previews] img")
    page.click("[data-locate]")
    page.wait_for_function("document.querySelector('[data-point]').textContent.includes('±8')")
    assert "30.27412, 120.15515" in page.inner_text("[data-point]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    assert "已上报" in page.inner_text(".flash.ok")
    page.wait_for_function("(document.querySelector('.thumbs img') || {}).naturalWidth > 0")
    assert "30.27412, 120.15515（±8 米）" in page.inner_text("[data-key=location]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert count(events.app, ProcessInstance) == 1


def test_an_offline_report_is_sent_once_even_if_reloaded_while_sending(phone, events, monkeypatch):
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps the page for offline use
    page.wait_for_function("!!window.WorkflowOutbox")
    phone.set_offline(True)
    fill_report(page, "路边垃圾桶满溢（离线上报）")
    with page.expect_file_chooser() as chooser:
        page.click("label.camera")
    chooser.value.set_files({"name": "offline.png", "mimeType": "image/png", "buffer": png()})
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#outbox-note[data-state=saved]")
    assert page.evaluate("WorkflowOutbox.all().then(a => a.length)") == 1
    page.reload()  # still offline: the page comes from the phone, the report is still there
    page.wait_for_function("!!window.WorkflowOutbox")
    assert page.evaluate("WorkflowOutbox.all().then(a => a.length)") == 1
    assert count(events.app, ProcessInstance) == 0

    real, calls = reporting.start_once, []
    entered, release, answered = threading.Event(), threading.Event(), threading.Event()

    def gated(*args, **kwargs):  # the first send reaches the server, which answers only after the reload
        calls.append(kwargs.get("key"))
        if len(calls) > 1:
            return real(*args, **kwargs)
        db.session.commit()  # end the read transaction: other requests must be able to write meanwhile
        entered.set()
        release.wait(HANG)
        try:
            return real(*args, **kwargs)
        finally:
            answered.set()

    monkeypatch.setattr(reporting, "start_once", gated)
    phone.set_offline(False)
    assert entered.wait(HANG), "the outbox did not send when the connection returned"
    page.reload()  # reloaded while the first send is still in flight
    page.wait_for_selector("html[data-outbox='0']")
    release.set()
    assert answered.wait(HANG)
    page.wait_for_function("WorkflowOutbox.all().then(a => a.length === 0)")
    assert len(calls) >= 2 and len(set(calls)) == 1  # sent again after the reload, with the same key
    assert count(events.app, ProcessInstance) == 1 and count(events.app, StartRequest) == 1
    assert len([t for t in events.tasks("staff-dc-dm") if t["name"] == "社区处置"]) == 1  # the one case


def test_a_resident_follows_their_report_and_hears_when_it_closes(phone, events):
    page = phone.new_page()
    log_in(page, "resident-dc-dm")
    page.goto("/report/event_handling")
    page.select_option("#f-org_unit", "dc-dm-01")
    fill_report(page, "楼下垃圾桶满了")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    case = int(page.url.rsplit("/", 1)[1])
    assert page.locator(".diagram").count() == 0 and page.locator(".status-steps li.done").count() == 1
    page.click("header nav >> text=我上报的")
    assert page.locator(f"[data-case-id='{case}']").count() == 1
    for name, user, data in (("社区受理", "staff-dc-dm", {"accepted": True}),
                             ("社区处置", "staff-dc-dm", {"community_result": "resolved", "handling_note": "已清运"}),
                             ("核查", "worker-dc-dm-01", {"verified": True}),
                             ("回访", "staff-dc-dm", {"satisfaction": "满意"})):
        ok(events.complete(only(events.tasks(user, instance_id=case), name)["id"], user, data), 200)
    page.reload()
    assert page.inner_text("header nav .badge") == "2"
    page.click("header nav >> text=通知")
    assert "您上报的事件已办结" in page.inner_text("main")
    page.goto(f"/cases/{case}")
    text = page.inner_text("main")
    assert page.locator(".status-steps li.done").count() == 4 and "满意" in text
    for key in ("condition_code", "standard", "initiator", "chosen_severity", "previous_dues", "community_limit"):
        assert key not in page.content().split("<main", 1)[1], key
    assert page.locator(".diagram, [data-bpmn-url]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_map_pin_sets_the_position_when_tiles_are_configured(phone, events):
    events.app.config["MAP_TILE_URL"] = "/web-static/no-tiles/{z}/{x}/{y}.png"  # local: nothing from the internet
    try:
        page = phone.new_page()
        log_in(page, "worker-dc-dm-01")
        page.goto("/report/event_handling")
        page.wait_for_selector("[data-map].leaflet-container")
        assert page.input_value("input[name='location.lat']") == ""
        page.click("[data-map]", position={"x": 120, "y": 100})
        page.wait_for_function("document.querySelector(\"input[name='location.lat']\").value !== ''")
        assert page.locator("[data-map] .leaflet-marker-icon").count() == 1
        assert "," in page.inner_text("[data-point]")
    finally:
        events.app.config.pop("MAP_TILE_URL", None)


def test_a_report_whose_answer_never_arrives_is_sent_again_once(phone, events):
    """Online on a weak signal: the post leaves but no answer arrives (the browser shows its own
    error page). The copy kept under the report's key is sent when a page of the platform opens
    again, and the server starts the case once."""
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.wait_for_function("!!window.WorkflowOutbox")
    fill_report(page, "垃圾桶满溢（信号弱）")
    page.route("**/report/event_handling", lambda route: route.abort("connectionreset")
               if route.request.method == "POST" else route.continue_())
    with page.expect_event("requestfailed", lambda request: request.method == "POST"):
        page.click("#report-form button[type=submit]")  # the copy is saved first, then the post leaves
    page.wait_for_load_state()
    assert count(events.app, ProcessInstance) == 0
    page.unroute("**/report/event_handling")
    page.goto("/inbox")
    page.wait_for_function("!!window.WorkflowOutbox")
    page.wait_for_function("WorkflowOutbox.all().then(a => a.length === 0)")
    deadline = time.monotonic() + HANG  # the page or its service worker sends it
    while count(events.app, ProcessInstance) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count(events.app, ProcessInstance) == 1
    page.goto("/report/event_handling")  # nothing is sent twice on later pages
    page.wait_for_function("!!window.WorkflowOutbox")
    assert page.evaluate("WorkflowOutbox.all().then(a => a.length)") == 0
    assert count(events.app, ProcessInstance) == 1


def test_an_answered_report_leaves_no_copy_behind(phone, events):
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.wait_for_function("!!window.WorkflowOutbox")
    fill_report(page, "垃圾桶满溢（正常上报）")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    page.wait_for_function("!!window.WorkflowOutbox")
    page.wait_for_function("WorkflowOutbox.all().then(a => a.length === 0)")
    assert "wf_answered" not in page.evaluate("document.cookie")
    assert count(events.app, ProcessInstance) == 1


def test_a_report_refused_online_shows_its_errors_and_no_outbox_alarm(phone, events):
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.wait_for_function("!!window.WorkflowOutbox")
    fill_report(page, "垃圾桶满溢（附件不对）")
    with page.expect_file_chooser() as chooser:
        page.click("label.camera")
    chooser.value.set_files({"name": "x.png", "mimeType": "image/png", "buffer": b"MZ not a picture"})
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_function("!!window.WorkflowOutbox")
    page.wait_for_timeout(500)  # let the page's outbox work finish
    assert page.input_value("#f-description") == "垃圾桶满溢（附件不对）"  # what was typed is kept
    assert page.evaluate("WorkflowOutbox.all().then(a => a.length)") == 0
    assert page.locator("#outbox-note[data-state=failed]").count() == 0
    assert count(events.app, ProcessInstance) == 0


def test_a_report_kept_on_a_shared_phone_waits_for_its_author_and_logging_out_drops_drafts(phone, events):
    """Worker A's offline report is never filed as the next person logged in on the same phone; it is
    sent once A logs in again. Logging out takes the task-form drafts with it."""
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.evaluate("localStorage.setItem('wf-draft:task-1-user-1', JSON.stringify({at: new Date().toISOString()}))")
    page.click("form[data-logout] button")
    page.wait_for_url("**/login**")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('wf-draft:')).length") == 0

    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("!!window.WorkflowOutbox")
    phone.set_offline(True)
    fill_report(page, "共用手机上离线上报的垃圾")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#outbox-note[data-state=saved]")
    phone.clear_cookies()  # A's session ends while the report waits (the phone passes to a colleague)
    phone.set_offline(False)
    log_in(page, "gridlead-dc-dm-01")  # someone else on the same phone, online
    page.evaluate("WorkflowOutbox.flush()")
    assert page.evaluate("WorkflowOutbox.all().then(a => a.length)") == 1  # kept for its author
    assert count(events.app, ProcessInstance) == 0
    page.click("form[data-logout] button")
    page.wait_for_url("**/login**")
    log_in(page, "worker-dc-dm-01")
    page.wait_for_function("!!window.WorkflowOutbox")
    waited = time.monotonic()
    while page.evaluate("WorkflowOutbox.flush().then(() => WorkflowOutbox.all()).then(a => a.length)"):
        assert time.monotonic() - waited < HANG, "the author's report was not sent"
        page.wait_for_timeout(200)
    assert count(events.app, ProcessInstance) == 1
    with events.app.app_context():
        [case] = db.session.query(ProcessInstance).all()
        assert case.started_by.username == "worker-dc-dm-01"
        db.session.remove()


def test_a_report_the_server_refused_later_is_edited_again_and_sent(phone, events):
    """The web-UI issue: an offline report the server refused later (failed, with field errors)
    could be seen but not reopened. 重新编辑 opens the report form with the kept fields and photo
    and the server's errors; the failed entry goes only once the corrected report is accepted."""
    page = phone.new_page()
    log_in(page, "worker-dc-dm-01")
    page.goto("/report/event_handling")
    page.wait_for_function("!!window.WorkflowOutbox")
    phone.set_offline(True)
    fill_report(page, "")  # no description: the server will refuse it
    with page.expect_file_chooser() as chooser:
        page.click("label.camera")
    chooser.value.set_files({"name": "kept.png", "mimeType": "image/png", "buffer": png()})
    page.click("[data-locate]")
    page.wait_for_function("document.querySelector('[data-point]').textContent.includes('±8')")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#outbox-note[data-state=saved]")
    phone.set_offline(False)
    page.evaluate("WorkflowOutbox.flush()")
    [failed] = page.evaluate("WorkflowOutbox.all()")
    assert failed["state"] == "failed" and "description" in failed["errors"]
    assert count(events.app, ProcessInstance) == 0

    page.goto("/reports/mine")
    link = page.locator(f"#outbox-list a[data-reedit='{failed['key']}']")
    assert link.inner_text() == "重新编辑"
    link.click()
    page.wait_for_url("**/report/event_handling?reedit=*")
    page.wait_for_selector("[data-field=description] .field-errors")
    assert "必填" in page.inner_text("[data-field=description] .field-errors")
    assert page.input_value("#f-address") == "东门小区3幢" and page.input_value("#f-condition_code") == "B0301-01"
    page.wait_for_selector("[data-field=photos] [data-previews] img")
    assert page.input_value("[data-lat]") == "30.274120" and "30.27412, 120.15515" in page.inner_text("[data-point]")
    assert page.locator("#outbox-note[data-state=sending]").count() == 0  # nothing to send for a refused one
    assert page.input_value("input[name=idempotency_key]") != failed["key"]  # a new key for the new report
    assert page.evaluate("WorkflowOutbox.all().then(a => a.length)") == 1  # kept until the new one is taken

    page.fill("#f-description", "")  # refused again online: the failed entry still stays
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_function("!!window.WorkflowOutbox")
    page.wait_for_selector("[data-field=description] .field-errors")
    page.wait_for_function("WorkflowOutbox.all().then(a => a.length === 1)")
    assert page.evaluate("WorkflowOutbox.all().then(a => a[0].key)") == failed["key"]

    page.fill("#f-description", "垃圾桶满溢（补上说明）")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*")
    page.wait_for_function("!!window.WorkflowOutbox")
    page.wait_for_function("WorkflowOutbox.all().then(a => a.length === 0)")
    page.wait_for_function("(document.querySelector('.thumbs img') || {}).naturalWidth > 0")  # the kept photo
    assert count(events.app, ProcessInstance) == 1 and count(events.app, StartRequest) == 1
