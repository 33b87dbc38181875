"""English mode on a phone (390×844) and a desk (1366×900): the report's 立案条件 picker, the inbox
card's case title, the rework reason on the task page and the case page's heading are English
(what people typed stays as typed), and nothing scrolls sideways."""

import re

import pytest

from tests.browser.conftest import fits, log_in, phone_as, shot
from tests.support import ok, only, with_event_handling

CJK = re.compile(r"[\u3400-\u9fff]")
BIN_FULL = {"condition_code": "B0301-01", "address": "East Gate Rd 3", "description": "bin overflowing"}
DESK = {"width": 1366, "height": 900}


@pytest.fixture
def events(api):
    return with_event_handling(api)


def _do(api, user, case, name, data):
    ok(api.complete(only(api.tasks(user, instance_id=case), name)["id"], user, data))


def _desk_as(browser, live, username):
    context = browser.new_context(viewport=DESK, locale="en-GB", base_url=live.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, username)
    return context, page


def test_the_phone_and_the_desk_read_titles_conditions_and_reasons_in_english(browser, live, events):
    case = ok(events.start("event_handling", "dc-dm-01", BIN_FULL, "worker-dc-dm-01"), 201).get_json()["id"]
    _do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "cleared"})
    _do(events, "worker-dc-dm-01", case, "核查", {"verified": False, "verify_note": "still litter around it"})
    for opened in (phone_as, _desk_as):
        person, page = opened(browser, live, "staff-dc-dm")
        size = "phone" if opened is phone_as else "desk"
        page.goto("/inbox?lang=en")
        card = page.locator("article.card.task:has(a:text('Community handles')) >> div").first.inner_text()
        assert card == "Event handling·Litter bins: bin overflowing"
        shot(page, f"en-titles-inbox-{size}")
        assert fits(page)
        page.click("article.card.task a:text('Community handles')")
        page.wait_for_url("**/tasks/*")
        reason = page.inner_text("[data-field=rework_reason]")
        assert "Verification failed" in reason and "Rework no." in reason and not CJK.search(reason)
        shot(page, f"en-titles-task-{size}")
        assert fits(page)
        page.goto(f"/cases/{case}?lang=en")
        assert page.inner_text("h1").startswith("Litter bins: bin overflowing")
        shot(page, f"en-titles-case-{size}")
        assert fits(page)
        person.close()
    worker, page = phone_as(browser, live, "worker-dc-dm-01")
    page.goto("/report/event_handling?lang=en")
    options = page.locator("[data-field=condition_code] select option").all_inner_texts()
    assert "Litter bins: Litter bin overflowing, not emptied in time" in options
    assert not any(CJK.search(o) for o in options)
    shot(page, "en-titles-report-phone")
    assert fits(page)
    worker.close()
