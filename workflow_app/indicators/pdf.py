"""The bulletin as a printable PDF (ReportLab): headline figures, charts drawn as vector graphics
(the trend over twelve months, cases by category), the rankings, the worst overdue cases and the
corrections. Chinese text uses an embedded TrueType CJK font when one is installed
(``WORKFLOW_PDF_FONT``, else Debian's fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming or
fonts-droid-fallback), or the standard CID font STSong-Light that PDF readers supply."""

import io
import os
from functools import cache
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import present

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
CID_FONT = "STSong-Light"
PALETTE = ("#1d4ed8", "#b91c1c", "#15803d", "#b45309", "#7c3aed", "#0e7490")
WIDTH = A4[0] - 30 * mm


@cache
def font() -> str:
    """The name of the registered CJK font (embedded TrueType if found)."""
    paths = [os.environ.get("WORKFLOW_PDF_FONT", ""), *FONT_CANDIDATES]
    for path in paths:
        if path and Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont("BulletinCJK", path, subfontIndex=0))
                return "BulletinCJK"
            except Exception:  # not a TrueType-outline font (a CFF OpenType one): try the next
                continue
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles() -> dict:
    name = font()
    return {
        "title": ParagraphStyle("title", fontName=name, fontSize=16, leading=22, alignment=1, wordWrap="CJK"),
        "h2": ParagraphStyle("h2", fontName=name, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4,
                             textColor=colors.HexColor("#1e3a8a"), wordWrap="CJK", keepWithNext=1),
        "h3": ParagraphStyle("h3", fontName=name, fontSize=9, leading=13, spaceAfter=2, wordWrap="CJK",
                             keepWithNext=1),
        "body": ParagraphStyle("body", fontName=name, fontSize=9, leading=13, wordWrap="CJK"),
        "head": ParagraphStyle("head", fontName=name, fontSize=7.5, leading=9.5, alignment=1, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=name, fontSize=7.5, leading=10, wordWrap="CJK",
                                textColor=colors.HexColor("#475569")),
    }


def _table(rows: list[list], widths=None, header_rows: int = 1) -> Table:
    """A ruled table whose header cells wrap inside their columns (long indicator names in narrow
    columns would otherwise run into each other)."""
    name, head = font(), _styles()["head"]
    rows = [[Paragraph(str(cell), head) if isinstance(cell, str) else cell for cell in row]
            for row in rows[:header_rows]] + rows[header_rows:]
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), name), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e0e7ff")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#94a3b8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#f8fafc")]),
    ]))
    return table


def _segments(values: list) -> list[list[tuple[int, float]]]:
    """Runs of consecutive values (a month without figures breaks the line)."""
    runs, current = [], []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        runs.append(current)
    return runs


def _trend_chart(bulletin: dict) -> Drawing:
    """Lines of the trend's rates over the months (0–100 %), drawn from shapes."""
    name, trend = font(), bulletin["trend"]
    drawing = Drawing(WIDTH, 170)
    left, bottom, width, height = 40, 30, WIDTH - 170, 115
    labels = trend["labels"]
    step = width / max(len(labels), 1)
    for tick in range(0, 101, 25):
        y = bottom + height * tick / 100
        drawing.add(Line(left, y, left + width, y, strokeColor=colors.HexColor("#cbd5e1"), strokeWidth=0.5))
        drawing.add(String(left - 4, y - 3, f"{tick}%", fontName=name, fontSize=7, textAnchor="end"))
    for index, label in enumerate(labels):
        drawing.add(String(left + step * (index + 0.5), bottom - 12, label, fontName=name, fontSize=7,
                           textAnchor="middle"))
    for number, (indicator, values) in enumerate(trend["series"].items()):
        colour = colors.HexColor(PALETTE[number % len(PALETTE)])
        for run in _segments(values):
            points = [(left + step * (i + 0.5), bottom + height * min(max(v, 0), 1)) for i, v in run]
            if len(points) > 1:
                drawing.add(PolyLine([c for point in points for c in point], strokeColor=colour, strokeWidth=1.8))
            for x, y in points:
                drawing.add(Circle(x, y, 2.2, fillColor=colour, strokeColor=colour))
        y = bottom + height - number * 14
        drawing.add(Rect(left + width + 12, y - 2, 8, 8, fillColor=colour, strokeColor=colour))
        drawing.add(String(left + width + 24, y - 1, present.indicator_name(bulletin, indicator), fontName=name,
                           fontSize=8))
    drawing.add(String(left, bottom + height + 10, "近十二个月趋势", fontName=name, fontSize=9))
    return drawing


def _category_chart(bulletin: dict) -> Drawing:
    name, items = font(), bulletin["categories"] or [{"category": "无", "count": 0}]
    drawing = Drawing(WIDTH, 180)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 50, WIDTH - 60, 110
    chart.data = [[item["count"] for item in items]]
    chart.categoryAxis.categoryNames = [item["category"][:6] for item in items]
    chart.categoryAxis.labels.fontName = name
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = name
    chart.bars[0].fillColor = colors.HexColor(PALETTE[0])
    drawing.add(chart)
    drawing.add(String(40, 168, "本月立案按类别分布（件）", fontName=name, fontSize=9))
    return drawing


def _headline(bulletin: dict) -> Table:
    rows = [["指标", "本月", "上月", "变化"]]
    for item in bulletin["headline"]:
        rows.append([present.indicator_name(bulletin, item["indicator"]),
                     present.value(bulletin, item["indicator"], item["value"]),
                     present.value(bulletin, item["indicator"], item["previous"]),
                     present.change(bulletin, item["indicator"], item["change"])])
    return _table(rows, [WIDTH * 0.34, WIDTH * 0.22, WIDTH * 0.22, WIDTH * 0.22])


def _ranking(bulletin: dict, level: str) -> Table:
    section = bulletin["rankings"][level]
    columns = present.columns(bulletin, level)
    rows = [["名次", "单位", "综合得分", "等级", "名次变化", *[present.indicator_name(bulletin, c) for c in columns]]]
    for row in section["rows"]:
        rows.append([row["rank"] or "—", Paragraph(row["name"], _styles()["body"]), present.score(row["composite"]),
                     row["grade"] or "—", present.rank_change(row), *[present.value(bulletin, c, row["values"][c])
                                                                    for c in columns]])
    fixed = [WIDTH * 0.06, WIDTH * 0.18, WIDTH * 0.09, WIDTH * 0.06, WIDTH * 0.08]
    rest = (WIDTH - sum(fixed)) / max(len(columns), 1)
    return _table(rows, fixed + [rest] * len(columns))


def _overdue(bulletin: dict) -> Table:
    body = _styles()["body"]
    rows = [["案件", "单位", "类别", "处置时限", "已超期（天）"]]
    for case in bulletin["overdue_cases"]:
        rows.append([Paragraph(f"#{case['case_id']} {case['title'] or ''}", body), Paragraph(case["unit_name"], body),
                     case["category"] or "—", present.when(case["due_at"]), f"{case['overdue_days']:.1f}"])
    return _table(rows, [WIDTH * 0.38, WIDTH * 0.2, WIDTH * 0.14, WIDTH * 0.16, WIDTH * 0.12])


KEEP_WITH_HEADING = 40 * mm  # a heading starts a new page unless this much (its table's first rows) fits below


def _heading(text: str, style, above: float = 0) -> list:
    """A section heading that never stands alone at the foot of a page: a new page unless its
    table's header and first rows fit below it (and ``above``: a sub-heading that follows it)."""
    return [CondPageBreak(KEEP_WITH_HEADING + above), Paragraph(text, style)]


def render(bulletin: dict) -> bytes:
    styles, buffer = _styles(), io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                 bottomMargin=15 * mm, title=bulletin["title"], author=bulletin["county_name"])
    story = [Paragraph(bulletin["title"], styles["title"]), Spacer(1, 4),
             Paragraph(present.status_line(bulletin), styles["small"]), Spacer(1, 6),
             *_heading("一、总体情况", styles["h2"]), _headline(bulletin), Spacer(1, 6), _trend_chart(bulletin),
             _category_chart(bulletin), *_heading("二、排名", styles["h2"], 15 * mm)]
    for level, section in bulletin["rankings"].items():
        story += [*_heading(f"{section['label']}排名", styles["h3"]), _ranking(bulletin, level), Spacer(1, 6)]
    story += _heading("三、超期未结案件（超期最久的）", styles["h2"])
    none = Paragraph("本月末没有超期未结的案件。", styles["body"])
    story += [_overdue(bulletin) if bulletin["overdue_cases"] else none]
    if bulletin["adjustments"]:
        story += _heading("四、更正记录", styles["h2"])
        rows = [["单位", "指标", "调整", "原因", "调整人"]]
        rows += [[Paragraph(a["name"], styles["body"]), Paragraph(present.adjusted(bulletin, a), styles["body"]),
                  f"{a['delta']:+g}",
                  Paragraph(a["reason"], styles["body"]), Paragraph(a["author_name"], styles["body"])]
                 for a in bulletin["adjustments"]]
        story.append(_table(rows, [WIDTH * 0.2, WIDTH * 0.15, WIDTH * 0.1, WIDTH * 0.4, WIDTH * 0.15]))
    story += [Spacer(1, 8), Paragraph(present.footnote(bulletin), styles["small"])]
    document.build(story)
    return buffer.getvalue()
