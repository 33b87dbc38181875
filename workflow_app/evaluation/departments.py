"""The reverse-evaluation scores per department and handler, as the indicator definitions count
them (``反向评价数``, ``接单均分``…): nothing here computes a score, it reads the indicator table."""

from ..indicators import periods, report
from ..models import User

FIELDS = {
    "accept": "接单均分", "communicate": "沟通均分", "handle": "处置均分", "average": "反向评价均分",
    "ratings": "反向评价数", "expired": "反向评价超时", "expired_share": "反向评价超时率",
    "satisfaction": "部门满意率", "verdicts": "部门回访评价数", "score": "反向评价得分",
}
HANDLER_ROLES = ("department_staff",)


def _figures(view: report.RowView) -> dict:
    values = view.figures.values
    return {field: values.get(indicator) for field, indicator in FIELDS.items()}


def scores(user: User, org_unit: str | None, period_key: str | None) -> dict:
    period = periods.parse(period_key)
    units = report.table(user, report.Ask(org_unit, period, "department", with_previous=False))
    people: list[report.RowView] = []
    for role in HANDLER_ROLES:
        people += report.table(user, report.Ask(org_unit, period, "person", role, with_previous=False)).rows
    handlers: dict[str, list[dict]] = {}
    for view in people:
        figures = _figures(view)
        if not figures["ratings"] and not figures["expired"]:
            continue
        handlers.setdefault(view.row.unit.code, []).append(
            {"username": view.row.key, "name": view.row.name, **figures})
    rows = [{"unit": v.row.key, "name": v.row.name, "name_en": v.row.name_en, **_figures(v),
             "handlers": handlers.get(v.row.key, [])} for v in units.rows]
    rows.sort(key=lambda r: (r["average"] is None, -(r["average"] or 0), r["unit"]))
    return {"period": period.key, "period_label": period.label(), "org_unit": units.unit.code,
            "org_unit_name": units.unit.name_zh, "frozen": bool(units.frozen), "indicators": FIELDS,
            "total": _figures(units.total), "departments": rows}
