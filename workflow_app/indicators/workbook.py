"""The bulletin as an XLSX workbook (openpyxl): an overview, one ranking sheet per level, the
worst overdue cases, the monthly trend and the categories (each with a native Excel chart), and
the corrections. Rates are stored as fractions formatted as percentages, so they stay numbers."""

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import present

HEADER = PatternFill("solid", fgColor="E0E7FF")
BOLD = Font(bold=True)
MAX_SHEET_TITLE = 31
UNIT_LEVELS = ("county", "town", "community", "grid", "department")


def _sheet(book: Workbook, title: str, header: list[str], first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:MAX_SHEET_TITLE]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = BOLD, HEADER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    return sheet


def _widths(sheet, widths: list[int]) -> None:
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width


def _number_formats(sheet, bulletin: dict, ids: list[str], first_column: int) -> None:
    for offset, indicator in enumerate(ids):
        if present.kind(bulletin, indicator) == "rate":
            for row in sheet.iter_rows(min_row=2, min_col=first_column + offset, max_col=first_column + offset):
                for cell in row:
                    cell.number_format = "0.0%"


def _overview(book: Workbook, bulletin: dict) -> None:
    sheet = _sheet(book, "概览", ["指标", "本月", "上月", "变化"], first=True)
    sheet.insert_rows(1, 2)
    sheet["A1"] = bulletin["title"]
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = present.status_line(bulletin)
    for item in bulletin["headline"]:
        sheet.append([present.indicator_name(bulletin, item["indicator"]), item["value"], item["previous"],
                      item["change"]])
        if present.kind(bulletin, item["indicator"]) == "rate":
            for cell in sheet[sheet.max_row][1:4]:
                cell.number_format = "0.0%"
    sheet.append([])
    sheet.append(["全县综合得分", bulletin["total"]["composite"], None, None])
    sheet.append(["全县等级", bulletin["total"]["grade"], None, None])
    sheet.append([])
    sheet.append([present.footnote(bulletin)])
    sheet.freeze_panes = None
    _widths(sheet, [24, 14, 14, 14])


def _rankings(book: Workbook, bulletin: dict) -> None:
    for level, section in bulletin["rankings"].items():
        columns = present.columns(bulletin, level)
        sheet = _sheet(book, f"排名-{section['label']}", ["名次", "单位", "编码", "综合得分", "等级", "名次变化",
                                                        "上期名次", *[present.indicator_name(bulletin, c)
                                                                      for c in columns]])
        for row in section["rows"]:
            code = row["subject"] if level in UNIT_LEVELS else None  # units' codes only: never a username
            sheet.append([row["rank"], row["name"], code, row["composite"], row["grade"],
                          present.rank_change(row), row["previous_rank"], *[row["values"][c] for c in columns]])
        _number_formats(sheet, bulletin, columns, 8)
        _widths(sheet, [8, 26, 14, 12, 8, 10, 10] + [14] * len(columns))


def _overdue(book: Workbook, bulletin: dict) -> None:
    sheet = _sheet(book, "超期未结案件", ["案件号", "案件", "单位", "类别", "立案时间", "处置时限", "已超期（天）"])
    for case in bulletin["overdue_cases"]:
        sheet.append([case["case_id"], case["title"], case["unit_name"], case["category"],
                      present.when(case["filed_at"]), present.when(case["due_at"]), case["overdue_days"]])
    _widths(sheet, [10, 40, 22, 16, 18, 18, 12])


def _trend(book: Workbook, bulletin: dict) -> None:
    trend = bulletin["trend"]
    ids = list(trend["series"])
    sheet = _sheet(book, "月度趋势", ["月份", *[present.indicator_name(bulletin, i) for i in ids]])
    for index, key in enumerate(trend["periods"]):
        sheet.append([key, *[trend["series"][i][index] for i in ids]])
    _number_formats(sheet, bulletin, ids, 2)
    _widths(sheet, [12] + [14] * len(ids))
    if ids:
        chart = LineChart()
        chart.title, chart.y_axis.title, chart.height, chart.width = "近十二个月趋势", "比率", 8, 18
        chart.y_axis.number_format = "0%"
        chart.add_data(Reference(sheet, min_col=2, max_col=1 + len(ids), min_row=1, max_row=1 + len(trend["periods"])),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + len(trend["periods"])))
        sheet.add_chart(chart, f"{get_column_letter(len(ids) + 3)}2")


def _categories(book: Workbook, bulletin: dict) -> None:
    sheet = _sheet(book, "类别分布", ["类别", "立案数"])
    for item in bulletin["categories"]:
        sheet.append([item["category"], item["count"]])
    _widths(sheet, [24, 10])
    if bulletin["categories"]:
        chart = BarChart()
        chart.title, chart.height, chart.width = "本月立案按类别分布", 8, 18
        rows = len(bulletin["categories"])
        chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=1 + rows), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + rows))
        sheet.add_chart(chart, "D2")


def _adjustments(book: Workbook, bulletin: dict) -> None:
    sheet = _sheet(book, "更正记录", ["单位", "编码", "指标", "调整", "原因", "调整人", "时间"])
    for item in bulletin["adjustments"]:
        sheet.append([item["name"], item["subject"], present.adjusted(bulletin, item),  # the unit's code
                      item["delta"], item["reason"], item["author_name"], present.when(item["at"])])
    _widths(sheet, [22, 14, 14, 8, 40, 12, 18])


def render(bulletin: dict) -> bytes:
    book = Workbook()
    for part in (_overview, _rankings, _overdue, _trend, _categories, _adjustments):
        part(book, bulletin)
    book.properties.title = bulletin["title"]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
