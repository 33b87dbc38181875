"""考核评价 pages in Chromium as a user would use them, on a 390×844 phone and at 1366×900: the
indicator table drilled down from the county to a grid's people by clicking, a figure's
explanation, a grid worker's own scorecard, the rankings and the monthly bulletin with its charts.
Nothing scrolls sideways, and the pages name units and people in Chinese, never by their codes.
Skipped, saying why, without Chromium."""

import os
import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, LiveServer, log_in
from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    two_towns,
)
from workflow_app.extensions import db
from workflow_app.models import OrgUnit, User

DESKTOP = {"width": 1366, "height": 900}
SHOTS, SHOTS_TAKEN = os.environ.get("SHOTS"), []


@pytest.fixture(name="site")
def site_fixture(browser, events, clock, tmp_path):
    """March 2026 in 东城街道 and 西山镇 (closed on time and a day late), seen in April; yields a
    function opening a tab of the given size on the app served live."""
    two_towns(events, clock, 3)
    clock.move_to(at(2, 10, month=4))
    events.app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with events.app.app_context():
        codes = set(db.session.scalars(select(OrgUnit.code))) | set(db.session.scalars(select(User.username)))
        db.session.remove()
    contexts = []

    def open_tab(viewport: dict):
        context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    with LiveServer(events.app) as live:
        open_tab.codes = codes
        yield open_tab
        for context in contexts:
            context.close()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _codes_shown(page, codes: set[str]) -> list[str]:
    """Unit codes or user names shown as text in the page's main part (links may carry them)."""
    shown = page.locator("main").inner_text()
    return sorted(c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", shown))


def _check(page, codes: set[str], *texts: str) -> None:
    content = page.locator("main").inner_text()
    for text in texts:
        assert text in content, (page.url, text)
    assert _fits(page), page.url
    assert _codes_shown(page, codes) == [], page.url
    if SHOTS:  # SHOTS=folder: full-page screenshots of every page checked, to look at
        SHOTS_TAKEN.append(page.url)
        page.screenshot(path=f"{SHOTS}/{len(SHOTS_TAKEN):02d}-{page.viewport_size['width']}.png", full_page=True)


def _drill_down(page, codes: set[str]) -> None:
    """From the county's table, click down to a grid's people, then on a figure's explanation."""
    page.goto("/indicators?period=2026-03")
    _check(page, codes, "考核评价", "清溪县", "东城街道", "西山镇", "按期结案率")
    assert page.locator("figure.chart svg").count() == 2  # the six months' charts, as on the board
    page.click("table.sortable >> text=东城街道")
    page.wait_for_url("**org_unit=dc&**")
    _check(page, codes, "东门社区", "北关社区")
    _name_stays_in_view(page)
    page.click("table.sortable >> text=东门社区")
    page.wait_for_url("**org_unit=dc-dm&**")
    _check(page, codes, "东门社区第1网格")
    page.click("table.sortable >> text=东门社区第1网格")
    page.wait_for_url("**org_unit=dc-dm-01&**")
    _check(page, codes, "东门社区第1网格网格员")
    page.goto("/indicators?period=2026-03&org_unit=dc-dm&level=grid&sort=composite&order=asc")
    assert page.locator("a[aria-sort=ascending]").count() == 1
    _check(page, codes, "东门社区第1网格")
    page.goto("/indicators?period=2026-03&org_unit=dc-dm&level=grid")
    page.locator("table.sortable tbody tr").first.locator("td.num a").first.click()  # the composite
    page.wait_for_url("**/indicators/explain?**")
    _check(page, codes, "综合得分")


def _name_stays_in_view(page) -> None:
    """Scrolled to its last column inside its frame, a table still shows each row's name."""
    wrap = page.locator(".table-wrap").first
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    frame, name = wrap.bounding_box(), page.locator("table.sortable tbody td.name").first.bounding_box()
    assert frame is not None and name is not None and name["x"] >= frame["x"] - 1


def _rankings_and_bulletin(page, codes: set[str]) -> None:
    page.goto("/indicators/rankings?period=2026-03&org_unit=qingxi&level=town")
    _check(page, codes, "排名", "东城街道", "西山镇", "名次变化")
    assert page.locator("ol.ranking li").count() == 3  # and 南湖镇, without cases: no rank
    page.click("nav.tabs >> text=月度通报")
    page.wait_for_url("**/bulletins/qingxi/2026-03")
    _check(page, codes, "清溪县网格化管理工作月度通报（2026年3月）", "一、总体情况", "二、排名", "东城街道",
           "东门社区第1网格", "下载 PDF", "下载 Excel")
    assert page.locator("figure.chart svg").count() == 2  # twelve months' trend, cases by category
    page.goto("/indicators/definitions")
    _check(page, codes, "指标说明", "应结案 = 结案 ＋ 超期未结")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_supervisor_drills_down_and_reads_the_rankings_and_the_bulletin(site, viewport):
    page = site(viewport)
    log_in(page, "supervisor")
    _drill_down(page, site.codes)
    _rankings_and_bulletin(page, site.codes)
    if viewport is DESKTOP:  # at 1366 px the tables fit without scrolling inside their frames
        page.goto("/indicators?period=2026-03&org_unit=dc&level=community")
        assert page.evaluate("[...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= "
                             "w.clientWidth)")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_grid_worker_reads_their_own_scorecard(site, viewport):
    page = site(viewport)
    log_in(page, "worker-dc-dm-01")
    page.click("nav >> text=考核评价")
    page.wait_for_url("**/indicators/me")
    page.fill("#period", "2026-03")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**period=2026-03")
    _check(page, site.codes, "我的考核", "东门社区第1网格网格员", "得分是怎样算出来的", "网格员综合得分",
           "上报数分值", "按时核查率")
    answer = page.goto("/indicators?org_unit=dc-dm")
    assert answer is not None and answer.status == 403  # nobody else's figures


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/trial-{name}-{page.viewport_size['width']}.png", full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_trial_findings_read_right_in_both_languages(site, viewport):
    """People ranked by role with 样本不足; explain asks in Chinese; definitions all Chinese; the
    bulletin, the tables and the board in English; the board's 超时倍数 explained; 运维 in Chinese."""
    page = site(viewport)
    log_in(page, "supervisor")
    page.goto("/indicators?period=2026-03&org_unit=dc&level=person&lang=zh")
    _check(page, site.codes, "网格员", "人员只与同一角色的人员比较排名")
    assert page.locator("nav.roles a.on").count() == 1
    _shot(page, "people")
    page.goto("/indicators/rankings?period=2026-03&org_unit=dc&level=person")
    _check(page, site.codes, "样本不足")
    _shot(page, "people-ranking")
    page.goto("/indicators/explain")
    _check(page, site.codes, "请选择要解释的指标", "按期结案率")
    _shot(page, "explain-choose")
    page.goto("/indicators/definitions")
    content = page.locator("main").inner_text()
    assert "「callback_solved」" not in content and "Composite score" not in content
    _shot(page, "definitions-zh")
    page.goto("/supervision?org_unit=qingxi")
    _check(page, site.codes, "督查看板")
    assert "-W" not in page.locator("main").inner_text()
    _shot(page, "supervision-zh")
    page.goto("/bulletins/qingxi/2026-03?lang=en")
    content = page.locator("main").inner_text()
    assert "monthly grid-management bulletin (Mar 2026)" in content and "个百分点" not in content
    assert _fits(page)
    _shot(page, "bulletin-en")
    page.goto("/indicators/definitions")
    assert "Composite score = " in page.locator("main").inner_text()
    _shot(page, "definitions-en")
    page.goto("/supervision?org_unit=qingxi")
    content = page.locator("main").inner_text()
    assert "Dongcheng" in content and "东城街道" not in content and _fits(page)
    _shot(page, "supervision-en")
    page.goto("/indicators?period=2026-03&lang=zh")
    admin = site(viewport)
    log_in(admin, "admin")
    admin.goto("/operations")
    content = admin.locator("main").inner_text()
    assert "毫秒内应答" in content and "answered in" not in content and "scheduler(s)" not in content
    assert _fits(admin)
    _shot(admin, "operations-zh")
