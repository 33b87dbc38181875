"""The indicator pages in each language: Chinese fully Chinese (every fact kind in words, no English
twins), English as English as the data allows (names_en, formulas, periods, the bulletin)."""

import pytest

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    shipped,
    two_towns,
)
from tests.test_web_pages import login, text
from workflow_app.indicators import words, words_en


def _fact_kinds(document: dict) -> set[str]:
    kinds = set()
    for item in document["indicators"]:
        facts = item.get("facts")
        kinds |= {facts} if isinstance(facts, str) else set(facts or [])
    return kinds


def test_every_fact_kind_of_the_definitions_has_words_in_both_languages():
    kinds = _fact_kinds(shipped())
    assert kinds - set(words.FACT_WORDS) == set()
    assert kinds - set(words_en.FACT_WORDS_EN) == set()


@pytest.fixture
def march(events, clock):
    two_towns(events, clock, 3)
    clock.move_to(at(2, 10, month=4))
    return events


def test_the_definitions_in_chinese_show_no_raw_fact_names_nor_english_twins(march):
    browser = login(march.app, "supervisor")
    page = text(browser.get("/indicators/definitions")).split("定义原文")  # the raw JSON is the source, shown as is
    shown = " ".join(part.split("</details>")[-1] for part in page)
    for raw in ("callback_solved", "callback_mismatch", "rating_expired", "rated_satisfaction", "survey_score"):
        assert f"「{raw}」" not in shown, raw
    assert "Composite score" not in shown and "「回访不符」" in shown


def test_the_definitions_and_rankings_in_english(march):
    browser = login(march.app, "supervisor")
    page = text(browser.get("/indicators/definitions?lang=en"))
    assert "Composite score = On-time closure rate × 40%" in page and "（比率按百分制计分" not in page
    table = text(browser.get("/indicators?period=2026-03&lang=en"))
    assert "Mar 2026" in table and "2026年3月" not in table and "Dongcheng" in table


def test_explain_without_an_indicator_offers_the_choices_in_chinese(march):
    browser = login(march.app, "supervisor")
    answer = browser.get("/indicators/explain?org_unit=dc")
    page = text(answer)
    assert answer.status_code == 200 and "请选择要解释的指标" in page and "which indicator" not in page
    assert "indicator=%E6%8C%89%E6%9C%9F%E7%BB%93%E6%A1%88%E7%8E%87" in page or "indicator=按期结案率" in page


def test_the_bulletin_page_in_english(march):
    browser = login(march.app, "supervisor")
    page = text(browser.get("/bulletins/qingxi/2026-03?lang=en"))
    assert "monthly grid-management bulletin (Mar 2026)" in page
    for chinese in ("网格化管理工作月度通报", "个百分点", "持平", "2026年3月", "村社区排名"):
        assert chinese not in page, chinese
    assert "On-time closure rate" in page  # the chart's legend
    chinese = text(browser.get("/bulletins/qingxi/2026-03?lang=zh"))
    assert "清溪县网格化管理工作月度通报（2026年3月）" in chinese
