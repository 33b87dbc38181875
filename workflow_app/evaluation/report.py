"""A round's report (评估报告) as a printable PDF (ReportLab, the bulletin's embedded CJK font) and
a workbook (openpyxl): the round's rule and seed, its progress, the per-grid and per-worker
third-party scores and the mismatches, from the same values as the page and the API."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..indicators import pdf as bulletin_pdf
from ..indicators import present

COLUMNS = (("callbacks", "回访数"), ("reached", "接通"), ("satisfaction", "满意率"), ("solved", "解决率"),
           ("mismatches", "回访不符"), ("survey", "社会评价"), ("score", "评估得分"))
RATES = ("satisfaction", "solved")


def cell(key: str, value) -> str:
    if value is None:
        return "—"
    if key in RATES:
        return f"{value * 100:.1f}%"
    return f"{value:.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"


def title(detail: dict) -> str:
    return f"第三方评估报告 · {detail['scope_name']} · {detail['period_label']}（第 {detail['id']} 轮）"


def _rule(detail: dict) -> str:
    progress = detail["progress"]
    return (f"抽样：每网格 {detail['share'] * 100:g}%，至少 {detail['minimum']} 件；随机种子 {detail['seed']}；"
            f"样本 {progress['sample_size']} 件，已回访 {progress['called']} 件，接通 {progress['reached']} 件，"
            f"回访不符 {progress['mismatches']} 件；社会评价 {progress['surveys']} 份；"
            f"状态：{'已结束' if detail['status'] == 'closed' else '进行中'}"
            f"（生成于 {present.when(detail['generated_at'])}）")


def _rows(rows: list[dict], name: str) -> list[list[str]]:
    return [[name, *[label for _k, label in COLUMNS]]] + [
        [r["name"], *[cell(k, r.get(k)) for k, _label in COLUMNS]] for r in rows]


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def render_pdf(detail: dict) -> bytes:
    name = bulletin_pdf.font()
    styles = {"title": ParagraphStyle("t", fontName=name, fontSize=15, leading=21, alignment=1, wordWrap="CJK"),
              "h2": ParagraphStyle("h", fontName=name, fontSize=11.5, leading=17, spaceBefore=8, spaceAfter=4,
                                   textColor=colors.HexColor("#1e3a8a"), wordWrap="CJK"),
              "body": ParagraphStyle("b", fontName=name, fontSize=9, leading=13, wordWrap="CJK")}
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                 bottomMargin=15 * mm, title=title(detail))
    story = [Paragraph(title(detail), styles["title"]), Spacer(1, 4 * mm), Paragraph(_rule(detail), styles["body"])]
    if detail.get("conclusion"):
        story += [Paragraph("评估结论", styles["h2"]), Paragraph(_escaped(detail["conclusion"]), styles["body"])]
    scores = detail["scores"]
    sections = (("各网格评估结果", scores["grids"], "网格"), ("网格员评估结果", scores["workers"], "网格员"))
    for heading, rows, label in sections:
        story.append(Paragraph(heading, styles["h2"]))
        table = Table(_rows(rows, label), repeatRows=1)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), name), ("FONTSIZE", (0, 0), (-1, -1), 8),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
                                   ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#94a3b8")),
                                   ("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
        story.append(table)
    story.append(Paragraph("回访不符（平台已结案、群众称未解决）", styles["h2"]))
    mismatches = detail["mismatches"] or []
    if mismatches:
        for m in mismatches:
            story.append(Paragraph(f"案件 {m['case_id']} · {m['grid_name']} · {m['satisfaction'] or '—'} · "
                                   f"{m['comment'] or ''}", styles["body"]))
    else:
        story.append(Paragraph("无。", styles["body"]))
    document.build(story)
    return buffer.getvalue()


def render_xlsx(detail: dict) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "概况"
    summary.append([title(detail)])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([_rule(detail)])
    if detail.get("conclusion"):
        summary.append(["评估结论", detail["conclusion"]])
    header = PatternFill("solid", fgColor="E2E8F0")
    scores = detail["scores"]
    for sheet_name, rows, label in (("网格", scores["grids"], "网格"), ("网格员", scores["workers"], "网格员")):
        sheet = book.create_sheet(sheet_name)
        coded = sheet_name == "网格"  # units may keep their code; people are named, never by username
        sheet.append([label, *(["单位编码"] if coded else []), *[name for _k, name in COLUMNS]])
        for r in rows:
            sheet.append([r["name"], *([r["subject"]] if coded else []), *[r.get(k) for k, _name in COLUMNS]])
        for c in sheet[1]:
            c.font, c.fill = Font(bold=True), header
        for column in (("E", "F") if coded else ("D", "E")):  # satisfaction, solved: fractions as percentages
            for c in sheet[column][1:]:
                c.number_format = "0.0%"
        sheet.column_dimensions["A"].width = 24
    sheet = book.create_sheet("回访不符")
    sheet.append(["案件", "网格", "满意度", "回访意见", "回访时间"])
    for m in detail["mismatches"] or []:
        sheet.append([m["case_id"], m["grid_name"], m["satisfaction"], m["comment"], present.when(m["called_at"])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
