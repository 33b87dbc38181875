"""The monthly bulletin (月度通报) of a county: headline figures against the month before, the
rankings of towns, communities, grids and departments with their change, the worst overdue
cases, the trend over twelve months and the cases by category. An ended month is frozen first,
so a bulletin can be reproduced exactly; later corrections are listed as adjustments."""

from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from .. import clock
from ..errors import Forbidden
from ..extensions import db
from ..models import OrgUnit, User
from ..org import access, tree
from . import closing, periods, permissions, report, stream, subjects, words
from . import document as doc
from .tables import CaseEntry

TREND_MONTHS = 12
SYSTEM_AUTHOR = "平台（自动补记）"
WORST = 10
TOP_CATEGORIES = 12
LEVELS = (("town", "镇街"), ("community", "村社区"), ("grid", "网格"), ("department", "部门"))
LABELS_EN = {"town": "Towns", "community": "Communities", "grid": "Grids", "department": "Departments"}
DEFAULTS = {"headline": ["应结案", "结案", "按期结案", "超期未结", "结案率", "按期结案率", "返工率", "满意率"],
            "trend": ["按期结案率", "结案率", "满意率"],
            "area_columns": ["应结案", "按期结案率", "结案率", "返工率", "满意率"],
            "department_columns": ["按时处置率", "按时报到率", "回退", "迟到报到"]}


def _access(user: User, county: OrgUnit) -> None:
    if permissions.may_view(user, county):
        return
    inside = [u for c in permissions.VIEW for u in access.units_with(user, c) if u.is_within(county)]
    if not inside:
        raise Forbidden(f"{user.username} may not read the bulletins of {county.code}")


def _settings(document: dict) -> dict:
    ids = {i.get("id") for i in document.get("indicators") or []}
    given = document.get("bulletin") or {}
    return {key: [i for i in (given.get(key) or default) if i in ids] for key, default in DEFAULTS.items()}


def _meta(document: dict) -> dict:
    return {i["id"]: {"name": doc.name_of(i), "name_en": i.get("name_en"), "kind": i["kind"]}
            for i in document.get("indicators") or []}


def _ranking(table: report.Table, columns: list[str]) -> list[dict]:
    rows = sorted(table.rows, key=lambda v: (v.rank is None, v.rank or 0, v.row.key))
    return [{"rank": v.rank, "subject": v.row.key, "name": v.row.name, "name_en": v.row.name_en,
             "composite": v.figures.composite,
             "grade": v.figures.grade, "change": v.change, "previous_rank": (v.previous or {}).get("rank"),
             "values": {c: v.figures.values.get(c) for c in columns}} for v in rows]


def _worst_overdue(county: OrgUnit, month: periods.Period) -> list[dict]:
    bound = month.end if month.closed() else periods.local_day(clock.now()) + timedelta(days=1)
    as_of = month.as_of()
    still_open = or_(CaseEntry.closed_at.is_(None), CaseEntry.closed_at >= periods.day_start(bound))
    rows = db.session.execute(
        select(CaseEntry).where(tree.within(CaseEntry.unit_path, county.path), CaseEntry.overdue_day.is_not(None),
                                CaseEntry.overdue_day < bound, still_open)
        .order_by(CaseEntry.due_at, CaseEntry.id).limit(WORST)).scalars().all()
    return [{"case_id": r.instance_id, "title": r.title, "category": r.category, "unit": tree.ref_by_id(r.unit_id).code,
             "unit_name": tree.ref_by_id(r.unit_id).name_zh, "filed_at": r.filed_at, "due_at": r.due_at,
             "overdue_days": round((as_of - r.due_at).total_seconds() / 86400, 1),
             "closed_at": r.closed_at if r.closed_at and r.closed_at < as_of else None} for r in rows]


def _categories(county: OrgUnit, month: periods.Period) -> list[dict]:
    rows = db.session.execute(
        select(CaseEntry.category, func.count()).where(
            and_(tree.within(CaseEntry.unit_path, county.path), CaseEntry.filed_at >= month.starts_at,
                 CaseEntry.filed_at < month.ends_at)).group_by(CaseEntry.category).order_by(func.count().desc())).all()
    found = [{"category": c or "未分类", "count": n} for c, n in rows]
    if len(found) > TOP_CATEGORIES:
        rest = sum(item["count"] for item in found[TOP_CATEGORIES - 1:])
        found = found[:TOP_CATEGORIES - 1] + [{"category": "其他", "count": rest}]
    return found


def _trend(county: OrgUnit, month: periods.Period, ids: list[str]) -> dict:
    months, current = [], month
    for _ in range(TREND_MONTHS):
        months.append(current)
        current = current.previous()
    months.reverse()
    own = "department" if county.kind != "area" else county.level
    series = {i: [] for i in ids}
    for each in months:
        total = report.build(county, report.Ask(county.code, each, own, with_previous=False), own).total
        for i in ids:
            series[i].append(total.figures.values.get(i))
    return {"periods": [m.key for m in months], "labels": [f"{m.start.month}月" for m in months],
            "labels_en": [periods.MONTHS_EN[m.start.month - 1] for m in months], "series": series}


def _headline(table: report.Table, ids: list[str]) -> list[dict]:
    now = table.total.figures.values
    before = (table.total.previous or {}).get("values") or {}
    found = []
    for i in ids:
        value, earlier = now.get(i), before.get(i)
        both = isinstance(value, int | float) and isinstance(earlier, int | float)
        change = round(value - earlier, 4) if both else None
        found.append({"indicator": i, "value": value, "previous": earlier, "change": change})
    return found


def build(user: User, county_code: str, month_key: str) -> dict:
    """The bulletin of ``county_code`` for month ``month_key`` (YYYY-MM)."""
    county = tree.get(county_code)
    _access(user, county)
    month = periods.month_of(month_key)
    stream.catch_up(stream.READ_BUDGET)
    period_row = closing.ensure_frozen(county, month) if month.closed() else None
    tables = {level: report.build(county, report.Ask(county.code, month, level), level) for level, _ in LEVELS}
    first = tables["town"]
    document = first.definitions.document
    settings = _settings(document)
    return {
        "county": county.code, "county_name": county.name_zh, "period": month.key, "period_label": month.label(),
        "county_name_en": county.name_en, "period_label_en": month.label_en(),
        "title": f"{county.name_zh}网格化管理工作月度通报（{month.label()}）",
        "title_en": f"{county.name_en or county.name_zh}: monthly grid-management bulletin ({month.label_en()})",
        "as_of": month.as_of(),
        "closed": month.closed(), "frozen": period_row is not None,
        "frozen_at": period_row.frozen_at if period_row is not None else None, "generated_at": clock.now(),
        "definitions": first.definitions.refs(), "definitions_version": first.definitions.base.version,
        "indicators": _meta(document), "settings": settings,
        "headline": _headline(first, settings["headline"]),
        "total": {"composite": first.total.figures.composite, "grade": first.total.figures.grade},
        "rankings": {level: {"label": label, "label_en": LABELS_EN[level], "rows": _ranking(tables[level], settings[
            "department_columns" if level == "department" else "area_columns"])} for level, label in LEVELS},
        "overdue_cases": _worst_overdue(county, month),
        "categories": _categories(county, month),
        "trend": _trend(county, month, settings["trend"]),
        "adjustments": _adjustments(first),
    }


def _adjustments(table: report.Table) -> list[dict]:
    """Every correction of the month in the county (the total row holds them all): a person's
    correction of a count as it was made; the platform's own (facts that arrived after the freeze)
    summed per unit and count, so a late batch reads as one line per unit and count, not one per day."""
    names = subjects.shown_names(a.author for a in table.total.adjustments)
    made, late = [], {}
    for a in table.total.adjustments:
        unit = tree.ref_by_id(a.unit_id)
        if a.indicator is not None or a.atom is None:
            made.append({"id": a.id, "subject": unit.code, "name": unit.name_zh, "person": bool(a.actor_id),
                         "indicator": a.indicator, "what": None, "delta": a.delta, "reason": a.reason,
                         "author": a.author, "author_name": names.get(a.author, "—"), "at": a.at})
            continue
        entry = late.setdefault((a.unit_id, a.atom), {
            "id": a.id, "subject": unit.code, "name": unit.name_zh, "person": bool(a.actor_id), "indicator": None,
            "what": words.atom_words(a.atom), "delta": 0, "reason": "", "author": a.author,
            "author_name": SYSTEM_AUTHOR, "at": a.at, "reasons": []})
        entry["delta"] += a.delta
        entry["reasons"] += [a.reason] if a.reason not in entry["reasons"] else []
        entry["at"] = max(entry["at"], a.at)
    for entry in late.values():
        reasons = entry.pop("reasons")
        entry["reason"] = reasons[0] if len(reasons) == 1 else f"冻结后到达的数据（{len(reasons)} 批补记）"
    return made + [e for e in late.values() if e["delta"]]
