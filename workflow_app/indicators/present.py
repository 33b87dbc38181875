"""How figures are written out in the bulletin (PDF, workbook, page): rates as percentages,
scores to one decimal, changes with a sign, times in the business time zone."""

from datetime import UTC, date, datetime

from . import periods


def kind(bulletin: dict, indicator: str | None) -> str | None:
    return (bulletin["indicators"].get(indicator) or {}).get("kind") if indicator else None


def indicator_name(bulletin: dict, indicator: str | None, en: bool = False) -> str:
    if not indicator:
        return "—"
    meta = bulletin["indicators"].get(indicator) or {}
    return (en and meta.get("name_en")) or meta.get("name") or indicator


def adjusted(bulletin: dict, adjustment: dict) -> str:
    """What an adjustment corrects: an indicator, or (the platform's late data) a count in words."""
    return adjustment.get("what") or indicator_name(bulletin, adjustment.get("indicator"))


def value(bulletin: dict, indicator: str, number) -> str:
    if number is None:
        return "—"
    if kind(bulletin, indicator) == "rate":
        return f"{number * 100:.1f}%"
    if isinstance(number, float) and not number.is_integer():
        return f"{number:.1f}"
    return f"{int(number)}"


def change(bulletin: dict, indicator: str, number, en: bool = False) -> str:
    if number is None:
        return "—"
    if kind(bulletin, indicator) == "rate":
        return f"{number * 100:+.1f} " + ("pp" if en else "个百分点")
    return f"{number:+g}"


def score(number) -> str:
    return "—" if number is None else f"{number:.1f}"


def rank_change(row: dict, en: bool = False) -> str:
    moved = (row.get("change") or {}).get("rank")
    if moved is None:
        new = "new" if en else "新"
        return new if row.get("rank") is not None and row.get("previous_rank") is None else "—"
    if moved == 0:
        return "unchanged" if en else "持平"
    return f"↑{moved}" if moved > 0 else f"↓{-moved}"


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(periods.zone()).strftime("%Y-%m-%d %H:%M")


def columns(bulletin: dict, level: str) -> list[str]:
    settings = bulletin["settings"]
    return settings["department_columns"] if level == "department" else settings["area_columns"]


def status_line(bulletin: dict) -> str:
    state = "已冻结" if bulletin["frozen"] else ("已结束，尚未冻结" if bulletin["closed"] else "进行中（截至当前）")
    versions = "、".join(f"{ref.get('locality_name') or '全县'} v{ref['version']}" for ref in bulletin["definitions"])
    return (f"统计期：{bulletin['period_label']}（{state}）；数据截至 {when(bulletin['as_of'])}；"
            f"指标定义 {versions}；生成于 {when(bulletin['generated_at'])}")


def status_line_en(bulletin: dict) -> str:
    state = "frozen" if bulletin["frozen"] else ("ended, not yet frozen" if bulletin["closed"] else "in progress")
    versions = ", ".join(f"{ref.get('locality_name') or 'county'} v{ref['version']}" for ref in bulletin["definitions"])
    return (f"Period: {bulletin['period_label_en']} ({state}); data as of {when(bulletin['as_of'])}; "
            f"definitions {versions}; generated {when(bulletin['generated_at'])}")


def footnote_en(bulletin: dict) -> str:
    return ("Due to close = closed this period + open and overdue at its end (carried over included); on-time "
            "closure rate = closed on time ÷ due to close; closure rate = closed ÷ due to close; rework rate = "
            "reworked ÷ due to close; satisfaction rate = (satisfied + mostly satisfied) ÷ verdicts. Composite "
            "scores use local weights; grades A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below. Corrections after the "
            "freeze are listed as adjustments; the frozen figures stay as they were.")


def footnote(bulletin: dict) -> str:
    return ("说明：应结案 = 本期结案 + 期末超期未结（含以前各期结转）；按期结案率 = 按期结案 ÷ 应结案；"
            "结案率 = 结案 ÷ 应结案；返工率 = 返工 ÷ 应结案；满意率 =（满意 + 基本满意）÷ 评价数。"
            "综合得分按各地权重计算，等级 A ≥ 90、B ≥ 75、C ≥ 60、D ≥ 40、E 以下。"
            "冻结后的更正以调整记录列出，原始冻结数据保持不变。")


def jsonable(value):
    """Plain JSON values: times as ISO 8601 in UTC, dates as ISO dates (nested anywhere)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
