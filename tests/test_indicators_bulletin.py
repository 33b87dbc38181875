"""Acceptance: the monthly bulletin of a county as JSON, as a PDF that a real reader opens (pdfplumber),
and as an XLSX workbook (openpyxl), each with the rankings."""

import io

import pdfplumber
import pytest
from openpyxl import load_workbook

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    self_handled,
    two_towns,
)


@pytest.fixture
def march(events, clock):
    two_towns(events, clock, 2)  # February, for the change in rank
    two_towns(events, clock, 3)
    clock.move_to(at(3, 9))
    self_handled(events, "xs-sq-02")  # 西山镇 does a little better in March
    clock.move_to(at(2, 10, month=4))
    return events


def _ranked(bulletin: dict, level: str) -> list[tuple]:
    return [(r["rank"], r["name"]) for r in bulletin["rankings"][level]["rows"] if r["rank"] is not None]


def test_the_bulletin_as_json_has_headline_rankings_trend_and_categories(march):
    answer = march.get("/bulletins/qingxi/2026-03", "supervisor")
    assert answer.status_code == 200, answer.get_json()
    bulletin = answer.get_json()
    assert bulletin["title"] == "清溪县网格化管理工作月度通报（2026年3月）" and bulletin["frozen"] is True
    headline = {h["indicator"]: h for h in bulletin["headline"]}
    assert headline["应结案"]["value"] == 5 and headline["应结案"]["previous"] == 4
    assert headline["按期结案率"]["value"] == pytest.approx(3 / 5) and headline["按期结案率"]["change"] == \
        pytest.approx(3 / 5 - 2 / 4)
    assert _ranked(bulletin, "town") == [(1, "西山镇"), (2, "东城街道")]
    town_rows = {r["subject"]: r for r in bulletin["rankings"]["town"]["rows"]}
    assert town_rows["xs"]["change"]["rank"] == 0 and town_rows["xs"]["previous_rank"] == 1  # tied in February
    assert bulletin["trend"]["periods"][-1] == "2026-03" and len(bulletin["trend"]["periods"]) == 12
    assert bulletin["trend"]["series"]["按期结案率"][-2:] == [pytest.approx(0.5), pytest.approx(0.6)]
    assert {c["category"]: c["count"] for c in bulletin["categories"]} == {"暴露垃圾": 3, "垃圾桶": 2}


def test_the_pdf_opens_in_a_reader_and_lists_the_rankings(march):
    answer = march.get("/bulletins/qingxi/2026-03.pdf", "supervisor")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF-")
    with pdfplumber.open(io.BytesIO(answer.data)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        drawn = sum(len(page.curves) + len(page.rects) + len(page.lines) for page in pdf.pages)
    assert "清溪县网格化管理工作月度通报（2026年3月）" in text and "镇街排名" in text and "网格排名" in text
    lines = [line for line in text.splitlines() if "西山镇" in line or "东城街道" in line]
    assert lines[0].startswith("1 西山镇") and lines[1].startswith("2 东城街道")
    assert drawn > 20  # the charts are vector graphics, not a picture


def test_the_workbook_opens_in_openpyxl_with_a_sheet_per_ranking_and_charts(march):
    answer = march.get("/bulletins/qingxi/2026-03.xlsx", "evaluator")
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(answer.data))
    sheets = {"概览", "排名-镇街", "排名-村社区", "排名-网格", "排名-部门", "超期未结案件", "月度趋势"}
    assert sheets <= set(book.sheetnames)
    towns = [row[:3] for row in book["排名-镇街"].iter_rows(min_row=2, values_only=True) if row[0] is not None]
    assert towns == [(1, "西山镇", "xs"), (2, "东城街道", "dc")]
    header = [cell.value for cell in book["排名-镇街"][1]]
    rate = book["排名-镇街"].cell(row=2, column=header.index("按期结案率") + 1)
    assert rate.value == pytest.approx(2 / 3) and rate.number_format == "0.0%"
    assert book["月度趋势"]._charts and book["类别分布"]._charts


def test_who_may_read_a_bulletin(march):
    assert march.get("/bulletins/qingxi/2026-03", "leader-dc").status_code == 200  # overseers within the county
    assert march.get("/bulletins/qingxi/2026-03", "resident-dc-dm").status_code == 403
    assert march.get("/bulletins/qingxi/2026-03.pdf", "worker-dc-dm-01").status_code == 403
    assert march.get("/bulletins/nowhere/2026-03", "supervisor").status_code == 404
    assert march.get("/bulletins/qingxi/2026-3x", "supervisor").status_code == 422
