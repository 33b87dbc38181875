"""事项准入 pages in Chromium on a 390-px phone: nothing scrolls sideways, the burden chart is drawn,
and a start refused for admission is explained on the form. Skipped, saying why, without Chromium."""

from datetime import datetime

import pytest

from tests.browser.conftest import PHONE, LiveServer, log_in
from tests.support import ok, only
from tests.test_admission_helpers import (  # noqa: F401 - the *_fixture names are fixtures
    BEIJING,
    adm_fixture,
    assign,
    clock_fixture,
    listed_fixture,
)


@pytest.fixture(name="phone")
def phone_fixture(browser, listed, tmp_path):
    """The session's Chromium (one Playwright per process: a second sync_playwright() inside the
    first one's loop is refused) on the listed organisation, served live."""
    listed.app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with LiveServer(listed.app) as live:
        context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_admission_pages_fit_a_phone(phone, listed, clock):
    clock.move_to(datetime(2026, 5, 6, 9, 0, tzinfo=BEIJING))
    ok(assign(listed), 201)
    task = only(listed.tasks("staff-dc-bg", process_key="department_assignment"))
    ok(listed.complete(task["id"], "staff-dc-bg", {"result": "refused", "reason": "经费未随事转"}))
    log_in(phone, "leader-dc")
    for path, text in (("/admission?org_unit=dc-dm", "协助开展门前三包巡查"),
                       ("/admission/items/QX-CG-01", "版本与决定"),
                       ("/admission/burden?org_unit=dc&month=2026-05", "拒收与准入拦截"),
                       ("/admission/blocked", "被拦截的案件"), ("/admission/applications", "准入申请")):
        phone.goto(path)
        assert text in phone.content(), path
        assert _fits(phone), path
    phone.goto("/admission/burden?org_unit=dc&month=2026-05")
    assert phone.locator("figure.chart svg").count() == 2


def test_a_refused_assignment_is_explained_on_the_phone(phone, listed):
    log_in(phone, "dept-cg-staff")
    phone.goto("/admission/assign")
    phone.fill("#f-item_code", "QX-SL-01")
    phone.fill("#f-title", "巡查")
    phone.fill("#f-description", "请各社区巡查")
    phone.check("input[name=communities][value=dc-dm]")
    phone.fill("#f-due_date", "2026-05-29")
    phone.click("form.card button[type=submit]")
    alert = phone.locator(".flash.error")
    assert "未准入，不能派发" in alert.inner_text() and "东门社区" in alert.inner_text()
    assert _fits(phone)
