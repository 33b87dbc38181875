"""A 核查 that comes round again after a rework, in Chromium on a phone and a desktop: it starts empty of
the earlier round's answers (shown as hints, the earlier photo as a thumbnail), typed text still comes
back after a reload, and a photo kept from elsewhere shows as a thumbnail, never its storage key, with
nothing wider than the screen."""

import pytest

from tests.browser.conftest import PHONE, log_in, shot
from tests.browser.test_field_tasks import DESKTOP, context_of, take_photo
from tests.support import ok, only, with_event_handling

BIN_FULL = {"condition_code": "B0301-01", "address": "东门路30号东门小区附近", "description": "东门小区垃圾桶满溢"}


@pytest.fixture
def events(api):
    return with_event_handling(api)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _fail_first_round(page, events, case) -> str:
    page.goto(f"/tasks/{only(events.tasks('worker-dc-dm-01', instance_id=case), '核查')['id']}")
    page.check("input[name=verified][value=false]")
    page.fill("#f-verify_note", "复核：垃圾仍未清运")
    take_photo(page, "verify_photos", "still-full-" + "x" * 60 + ".png")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    return events.instance(case)["data"]["verify_photos"][0]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_repeated_verification_starts_empty_on_the_page(browser, live, events, viewport):
    case = ok(events.start("event_handling", "dc-dm-01", BIN_FULL, "worker-dc-dm-01"), 201).get_json()["id"]
    ok(events.complete(only(events.tasks("staff-dc-dm", instance_id=case), "社区处置")["id"], "staff-dc-dm",
                       {"community_result": "resolved", "handling_note": "已清运"}))
    context = context_of(browser, live, viewport)
    page = context.new_page()
    log_in(page, "worker-dc-dm-01")
    earlier = _fail_first_round(page, events, case)
    ok(events.complete(only(events.tasks("staff-dc-dm", instance_id=case), "社区处置")["id"], "staff-dc-dm",
                       {"community_result": "resolved", "handling_note": "已清运T3"}))
    page.goto(f"/tasks/{only(events.tasks('worker-dc-dm-01', instance_id=case), '核查')['id']}")
    assert page.locator("input[name=verified]:checked").count() == 0
    assert page.input_value("#f-verify_note") == ""
    assert page.locator("[data-field=verify_photos] input[type=checkbox]:checked").count() == 0
    assert "上一轮：否" in page.inner_text("[data-previous=verified]")
    assert "复核：垃圾仍未清运" in page.inner_text("[data-previous=verify_note]")
    page.wait_for_function("document.querySelector('[data-previous=verify_photos] img').naturalWidth > 0")  # loaded
    assert "已清运T3" in page.inner_text("[data-field=handling_note]")  # this round's handling still shows
    shot(page, f"rounds-verify-again-{viewport['width']}")
    assert _fits(page)

    page.check("input[name=verified][value=false]")
    page.fill("#f-verify_note", "第二轮：仍未清干净")
    page.wait_for_function("Object.keys(localStorage).some(k => k.startsWith('wf-draft:task-') && "
                           "localStorage.getItem(k).includes('第二轮'))")
    page.reload()
    assert page.input_value("#f-verify_note") == "第二轮：仍未清干净"  # the draft still comes back
    page.fill("#f-verify_note", "")

    page.evaluate("""ref => { const box = document.querySelector('[data-field=verify_photos] .choices');
        box.insertAdjacentHTML('afterbegin', `<input type=checkbox name=verify_photos value="${ref}" checked>`); }""",
                  earlier)
    page.click("#task-form button[type=submit]")  # no note to a failed check: the form comes back with the photo
    page.wait_for_selector(".field-errors")
    kept = page.locator("[data-field=verify_photos] label.photo-kept")
    assert kept.count() == 1 and earlier not in kept.inner_text()
    page.wait_for_function(
        "document.querySelector('[data-field=verify_photos] label.photo-kept img').naturalWidth > 0")  # loaded
    shot(page, f"rounds-kept-photo-{viewport['width']}")
    assert _fits(page)
    context.close()
