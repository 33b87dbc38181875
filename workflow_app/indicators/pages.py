"""What the 考核评价 pages show, as plain values: a table with its drill-down path, columns,
and six months of each row's on-time rate and overdue backlog for the charts."""

from ..models import User
from ..org import access, tree
from . import periods, permissions, report, service
from .report import Ask

CHART_MONTHS = 6
CHART_ROWS = 10
# Defaults when the definitions' ``pages`` section names no columns (data decides: see indicators.json)
PERSON_COLUMNS = ["立案", "结案", "按期结案率", "按时核查率", "自行处置", "按时派遣率"]
AREA_COLUMNS = ["应结案", "结案", "按期结案", "超期未结", "结案率", "按期结案率", "返工率", "满意率"]
TREND_RATE, TREND_BACKLOG = "按期结案率", "超期未结"
NEXT_LEVEL = {"county": "town", "town": "community", "community": "grid", "grid": "person"}


def _columns(table: report.Table, everything: bool) -> list[dict]:
    document = table.definitions.document
    meta = {m["id"]: m for m in report.indicator_meta(document)}
    if everything:
        level = table.level
        return [m for m in meta.values() if m["kind"] in ("count", "rate")
                and (not m["levels"] or level in m["levels"])]
    pages, bulletin = document.get("pages") or {}, document.get("bulletin") or {}
    if table.level == "person":
        wanted = pages.get("person_columns") or PERSON_COLUMNS
    elif table.level == "department":
        wanted = pages.get("department_columns") or bulletin.get("department_columns") or []
    else:
        wanted = pages.get("area_columns") or AREA_COLUMNS
    return [meta[i] for i in wanted if i in meta]


def crumbs(user: User, unit) -> list[dict]:
    return [{"code": ref.code, "name": ref.name_zh, "name_en": getattr(tree.by_code(ref.code), "name_en", None),
             "open": permissions.may_view(user, ref)} for ref in tree.ancestor_refs(unit)]


def drill(row: dict, level: str) -> dict | None:
    """Where a row's name leads: the level below it, or a person's scorecard explanation."""
    if level == "person":
        return None
    if level == "department":
        return {"org_unit": row["subject"], "level": "person"}
    return {"org_unit": row["subject"], "level": NEXT_LEVEL.get(level, "person")}


def _charts(user: User, table: report.Table) -> dict:
    months, current = [], table.period if table.period.kind == "month" else periods.current_month()
    for _ in range(CHART_MONTHS):
        months.append(current)
        current = current.previous()
    months.reverse()
    keys = [v.row.key for v in sorted(table.rows, key=lambda v: (v.rank is None, v.rank or 0))][:CHART_ROWS]
    names = {v.row.key: v.row.name for v in table.rows}
    rates = {k: [] for k in keys}
    backlog = {k: [] for k in keys}
    for month in months:
        found = report.build(table.unit, Ask(table.unit.code, month, table.level, with_previous=False), table.level,
                             None if permissions.may_view(user, table.unit) else user.id)
        values = {v.row.key: v.figures.values for v in found.rows}
        for key in keys:
            rates[key].append((values.get(key) or {}).get(TREND_RATE))
            backlog[key].append(int((values.get(key) or {}).get(TREND_BACKLOG) or 0))
    return {"labels": [m.key for m in months], "names": [names[k] for k in keys],
            "rates": [(names[k], rates[k]) for k in keys], "backlog": [(names[k], backlog[k]) for k in keys]}


def overview(user: User, args: service.TableArgs, everything: bool = False, charts: bool = True) -> dict:
    """The table page: the table, its columns, the drill-down path and the charts."""
    table = service.table_object(user, args)
    shown = service.present_table(table)
    for row in shown["rows"]:
        row["drill"] = drill(row, table.level)
    return {
        "table": shown, "columns": _columns(table, everything), "crumbs": crumbs(user, table.unit),
        "levels": _levels(table.unit), "charts": _charts(user, table) if charts and table.rows else None,
        "may_adjust": any(access.capable(user, c, table.unit) for c in permissions.ADJUST),
        "previous_period": table.period.previous().key if table.period.kind != "range" else None,
        "next_period": _next(table.period),
        "roles": report.person_roles(table.definitions.document) if table.level == "person" else [],
    }


def _next(period: periods.Period) -> str | None:
    if period.kind != "month" or not period.closed():
        return None
    return periods.month(period.end.year, period.end.month).key


def _levels(unit) -> list[str]:
    if unit.kind != "area":
        return ["person"]
    order = ["town", "community", "grid", "person"]
    start = order.index(NEXT_LEVEL[unit.level]) if unit.level in NEXT_LEVEL else len(order) - 1
    found = order[start:]
    return (["department", *found] if unit.level == "county" else found)


def home(user: User) -> str | None:
    """Where the 考核评价 area opens for this user: their highest viewing unit, else None."""
    unit = permissions.home_unit(user)
    return unit.code if unit is not None else None


def county_of(user: User) -> str | None:
    unit = permissions.home_unit(user) or (user.assignments[0].org_unit if user.assignments else None)
    return tree.root_of(unit).code if unit is not None else None


def latest_closed_month() -> str:
    return periods.current_month().previous().key

