"""A field the form needs only for some answers shows only for them: on 社区受理 the 不予受理理由
box appears with 受理=否 and goes (sending nothing) with 受理=是."""

from tests.browser.conftest import fits, phone_as, shot
from tests.support import ok, only, with_event_handling

BIN_FULL = {"condition_code": "B0301-01", "address": "东门路3号", "description": "垃圾桶满溢"}


def test_the_reject_reason_shows_only_when_not_accepted(browser, live, api):
    events = with_event_handling(api)
    case = ok(events.start("event_handling", "dc-dm-01", BIN_FULL, "resident-dc-dm"), 201).get_json()["id"]
    task_id = only(events.tasks("staff-dc-dm", instance_id=case), "社区受理")["id"]
    for viewport in ({"width": 390, "height": 844}, {"width": 1366, "height": 900}):
        context, page = phone_as(browser, live, "staff-dc-dm")
        page.set_viewport_size(viewport)
        page.goto(f"/tasks/{task_id}")
        reason = page.locator("[data-field=reject_reason]")
        assert reason.is_hidden()  # nothing chosen yet
        page.check("input[name=accepted][value=false]")
        assert reason.is_visible()
        shot(page, f"accept-refusing-{viewport['width']}")
        page.check("input[name=accepted][value=true]")
        assert reason.is_hidden() and page.locator("[name=reject_reason]").is_disabled()
        shot(page, f"accept-accepting-{viewport['width']}")
        assert fits(page)
        context.close()
    _, page = phone_as(browser, live, "staff-dc-dm")
    page.goto(f"/tasks/{task_id}")
    page.check("input[name=accepted][value=false]")
    page.fill("[name=reject_reason]", "不属于本社区")
    page.check("input[name=accepted][value=true]")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    assert "reject_reason" not in events.instance(case)["data"]
