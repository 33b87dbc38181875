"""The 考核评价 pages: tables with drill-down and sorting (names, never codes), explanations, a grid
worker's own scorecard, rankings, the definitions in Chinese words, and the bulletin with its files."""

import io
import re

import pdfplumber
import pytest

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    two_towns,
)
from tests.test_web_pages import login, text


@pytest.fixture
def march(events, clock):
    two_towns(events, clock, 3)
    clock.move_to(at(2, 10, month=4))
    return events


def _ok(browser, path: str) -> str:
    response = browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return text(response)


def _cells(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td class=\"num\">([^<]*)", page)


def test_tables_drill_down_from_the_county_to_the_grid_with_names(march):
    browser = login(march.app, "supervisor")
    county = _ok(browser, "/indicators?period=2026-03")
    assert "考核评价" in county and "清溪县" in county and "东城街道" in county and "西山镇" in county
    assert ">dc<" not in county and ">xs-sq<" not in county  # names, not codes
    assert "/indicators?period=2026-03&amp;org_unit=dc&amp;level=community" in county
    assert "<svg" in county and "按期结案率" in county  # the charts, as on the supervisors' board
    town = _ok(browser, "/indicators?period=2026-03&org_unit=dc&level=community")
    assert "东门社区" in town and "北关社区" in town and "清溪县</a>" in town  # breadcrumbs back up
    grid = _ok(browser, "/indicators?period=2026-03&org_unit=dc-dm&level=grid")
    assert "东门社区第1网格" in grid and "level=person" in grid
    people = _ok(browser, "/indicators?period=2026-03&org_unit=dc-dm-01&level=person")
    assert "东门社区第1网格网格员" in people


def test_the_default_columns_are_data_and_carry_the_evaluation_columns(march):
    """The tables' columns come from the definitions' ``pages`` section: the third-party and
    reverse-evaluation columns stand beside the case figures."""
    browser = login(march.app, "supervisor")
    county = _ok(browser, "/indicators?period=2026-03")
    assert "按期结案率" in county and "第三方满意率" in county and "回访不符" in county
    departments = _ok(browser, "/indicators?period=2026-03&level=department")
    assert "反向评价均分" in departments and "反向评价超时率" in departments


def test_sorting_by_a_column_and_the_explanation_behind_a_figure(march):
    browser = login(march.app, "supervisor")
    ascending = _ok(browser, "/indicators?period=2026-03&org_unit=qingxi&level=department&sort=composite&order=asc")
    assert 'aria-sort="ascending"' in ascending
    page = _ok(browser, "/indicators/explain?org_unit=dc-dm-01&period=2026-03&indicator=按期结案率")
    assert "按期结案率 = 按期结案 ÷ 应结案" in page and "50.0%" in page and "/cases/" in page
    assert "东门社区第1网格" in page


def test_a_grid_worker_sees_their_own_scorecard(march):
    worker = login(march.app, "worker-dc-dm-01")
    opened = worker.get("/indicators")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/indicators/me")
    page = _ok(worker, "/indicators/me?period=2026-03")
    assert "我的考核" in page and "网格员综合得分" in page and "得分是怎样算出来的" in page
    assert "上报数分值" in page and "按时核查率" in page
    assert worker.get("/indicators?org_unit=dc-dm").status_code == 403


def test_rankings_definitions_and_english(march):
    browser = login(march.app, "supervisor")
    ranking = _ok(browser, "/indicators/rankings?period=2026-03&org_unit=qingxi&level=town")
    assert ranking.index("东城街道") > 0 and ranking.index("西山镇") > 0
    definitions = _ok(browser, "/indicators/definitions")
    assert "应结案 = 结案 ＋ 超期未结" in definitions and "定义原文" in definitions and "A ≥ 90" in definitions
    english = _ok(browser, "/indicators?period=2026-03&lang=en")
    assert "Indicators" in english and "Ranking" in english


def test_the_bulletin_page_and_its_files(march):
    browser = login(march.app, "supervisor")
    assert browser.get("/bulletins").headers["Location"].endswith("/bulletins/qingxi/2026-03")
    page = _ok(browser, "/bulletins/qingxi/2026-03")
    assert "清溪县网格化管理工作月度通报（2026年3月）" in page and "镇街" in page and "<svg" in page
    assert "/bulletins/qingxi/2026-03.pdf" in page and "/bulletins/qingxi/2026-03.xlsx" in page
    pdf = browser.get("/bulletins/qingxi/2026-03.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        assert "东城街道" in document.pages[0].extract_text()
    assert browser.get("/bulletins/qingxi/2026-03.xlsx").status_code == 200
    resident = login(march.app, "resident-dc-dm")
    assert resident.get("/bulletins/qingxi/2026-03").status_code == 403
    assert resident.get("/indicators/me").status_code == 403 and "考核评价" not in text(resident.get("/inbox"))
