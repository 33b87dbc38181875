"""Touch targets on a 390-px phone are at least 44 px (issue 15, defect 14: they were 20–40 px), and
the inbox's filter chips and tabs wrap instead of running off-screen."""

from tests.browser.conftest import log_in
from tests.support import ok, sample_bundle

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路边垃圾堆放"}
SMALL = """() => Array.from(document.querySelectorAll(
    'a, button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), summary, ' +
    'label.choice, label.pick, label.camera'))
  .filter(e => e.offsetParent !== null && !e.closest('.diagram'))
  .map(e => [e.tagName + ' ' + (e.textContent || e.value || '').trim().slice(0, 12),
             Math.round(e.getBoundingClientRect().height), Math.round(e.getBoundingClientRect().width)])
  .filter(x => x[1] < 44 || x[2] < 44)"""


def test_touch_targets_and_no_sideways_scroll_on_a_phone(page, api):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    log_in(page, "staff-dc-dm")
    for url in ("/inbox", "/inbox?state=mine", "/reports/mine", "/report", "/notifications"):
        page.goto(url)
        small = page.evaluate(SMALL)
        assert small == [], (url, small)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
