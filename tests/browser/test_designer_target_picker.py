"""Issue 15 leftovers, in Chromium on a phone (390×844): where a draft goes is picked from the units
by name (a touch target of at least 44 px, nothing scrolling sideways), and the choice is kept."""

from tests.browser.conftest import fits, phone_as, shot
from tests.support import ok, sample_bundle
from tests.test_web_designer import draft_id
from tests.test_web_pages import login, post


def test_a_draft_is_retargeted_by_unit_name_on_a_phone(api, browser, live):
    ok(api.deploy(sample_bundle()), 201)
    draft = draft_id(post(login(api.app, "designer"), "/designer/minor_event/versions/1/draft"))
    context, page = phone_as(browser, live, "designer")
    try:
        page.goto(f"/designer/drafts/{draft}")
        picker = page.locator("#draft-locality")
        box = picker.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert picker.locator("option:checked").inner_text().strip() == "全县通用"
        picker.select_option(label="\u3000\u3000\u3000东门社区")
        page.click("#retarget")
        page.wait_for_load_state()
        assert page.locator("#draft-locality option:checked").get_attribute("value") == "dc-dm"
        assert "东门社区" in page.locator("h1").inner_text() and fits(page)
        shot(page, "draft-target-phone")
        page.goto("/designer/minor_event/versions/1/edit")
        target = page.locator("#target")
        assert target.bounding_box()["height"] >= 44
        assert "小事快办" in page.locator("h1").inner_text() and fits(page)
        shot(page, "edit-target-phone")
    finally:
        context.close()
