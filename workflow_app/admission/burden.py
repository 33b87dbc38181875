"""减负: the burden on each community in a month, from what the platform recorded.

Per community: the items in force during the month (inherited from its ancestors) and the
resources each promised (权随责走、费随事转); the tasks it received under each item and the hours
they took (working hours from creation to completion, on the community's calendar); the tasks it
refused and why; the admission refusals (work that was stopped before it reached it), by pushing
department. Work of processes that declare no item is counted apart (``other_tasks``)."""

import csv
import io
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from .. import clock
from ..calendar import localities
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..models import CaseFact, HumanTask, ProcessInstance, User
from ..org import access, tree
from ..repository import instances as store
from . import coverage, enforcement, items
from .exchange import cell
from .refusals import KIND as ADMISSION_REFUSED

REFUSED = "assignment_refused"
MAX_ROWS = 20_000
CSV_COLUMNS = ("month", "community", "name", "items_in_force", "tasks_received", "hours_spent", "other_tasks",
               "tasks_refused", "refusal_reasons", "admission_refusals", "admission_refusals_by_department",
               "funding_promised", "staff_promised")


def _month(text: str | None, zone: str) -> tuple[str, datetime, datetime, date, date]:
    if not text:
        text = clock.now().astimezone(ZoneInfo(zone)).strftime("%Y-%m")
    try:
        first = datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise InvalidInput("month is YYYY-MM", {"month": ["YYYY-MM"]}) from error
    if not 2000 <= first.year <= 2200:
        raise InvalidInput("month out of range", {"month": ["a year from 2000 to 2200"]})
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    start = datetime.combine(first, datetime.min.time(), ZoneInfo(zone))
    end = datetime.combine(following, datetime.min.time(), ZoneInfo(zone))
    return text, clock.as_utc(start), clock.as_utc(end), first, following - timedelta(days=1)


def _may_read(actor: User, unit) -> bool:
    return access.works_in(actor, unit) or access.capable(actor, access.OVERSEE, unit)


def _communities(unit) -> list[tree.UnitRef]:
    if unit.level == "community":
        return [tree.UnitRef.of(unit)]
    if coverage.DEPTH.get(unit.level, 9) > coverage.DEPTH["community"] or unit.kind != "area":
        raise InvalidInput("the burden report is per community: give a county, town or community",
                           {"org_unit": ["a county, town or community"]})
    return [tree.UnitRef.of(u) for u in tree.units(["area"], levels=["community"]) if u.is_within(unit)]


def _in_force_during(item, first: date, last: date) -> bool:
    return (item.valid_from <= last and (item.valid_to is None or item.valid_to >= first)
            and (item.withdrawn_from is None or item.withdrawn_from > first))


def _task_item(task: HumanTask) -> str | None:
    declared = enforcement.declaration(store.manifest(task.instance))
    if not (enforcement.ITEM in declared or enforcement.ITEM_FROM in declared):
        return None
    return enforcement.item_code(declared, task.instance.data or {}) or "—"


def _tasks(unit, start: datetime, end: datetime) -> list[HumanTask]:
    return list(db.session.execute(
        select(HumanTask).options(selectinload(HumanTask.instance).options(undefer(ProcessInstance.data)))
        .where(tree.within(HumanTask.scope_path, unit.path), HumanTask.created_at >= start, HumanTask.created_at < end)
        .order_by(HumanTask.id).limit(MAX_ROWS)).scalars())


def _facts(kind: str, start: datetime, end: datetime, path: str | None = None) -> list[CaseFact]:
    query = select(CaseFact).where(CaseFact.kind == kind, CaseFact.at >= start, CaseFact.at < end)
    if path is not None:
        query = query.where(tree.within(CaseFact.unit_path, path))
    return list(db.session.execute(query.order_by(CaseFact.id).limit(MAX_ROWS)).scalars())


def _hours(task: HumanTask, community) -> float:
    if task.completed_at is None or task.state != "completed":
        return 0.0
    return localities.elapsed(task.created_at, task.completed_at, "work_hours", community)


def _owner(path: str, communities: list) -> tree.UnitRef | None:
    return next((c for c in communities if path and path.startswith(c.path)), None)


def _home(actor: User):
    """Where a reader's report starts: the highest area unit they work in (a grid's community)."""
    held = sorted((a.org_unit for a in actor.assignments if a.org_unit.kind == "area"), key=lambda u: len(u.path))
    if not held:
        return tree.root_unit()
    unit = held[0]
    if coverage.DEPTH.get(unit.level, 0) > coverage.DEPTH["community"]:
        return tree.by_code(tree.ancestor_at(tree.UnitRef.of(unit), "community").code)
    return unit


def report(actor: User, org_unit: str | None, month: str | None = None) -> dict:
    unit = tree.require(org_unit) if org_unit else _home(actor)
    if unit is None or not _may_read(actor, unit):
        raise Forbidden(f"{actor.username} may not read the burden report of {getattr(unit, 'code', '—')}")
    county = items.county_of(unit)
    label, start, end, first, last = _month(month, localities.calendar_for(county).timezone)
    communities = _communities(unit)
    tasks = defaultdict(list)
    for task in _tasks(unit, start, end):
        owner = _owner(task.scope_path, communities)
        if owner is not None:
            tasks[owner.code].append(task)
    refused = defaultdict(list)
    for fact in _facts(REFUSED, start, end, unit.path):
        owner = _owner(fact.unit_path, communities)
        if owner is not None:
            refused[owner.code].append(fact)
    stopped = _facts(ADMISSION_REFUSED, start, end)
    all_items = items.items_of(county)
    rows = [_row(c, tasks[c.code], refused[c.code], stopped, all_items, first, last) for c in communities]
    return {"org_unit": unit.code, "name": unit.name_zh, "month": label, "rows": rows, "totals": _totals(rows)}


def _stopped_here(fact: CaseFact, community) -> bool:
    for code in (fact.detail or {}).get("units") or []:
        ref = tree.ref_by_code(code) if isinstance(code, str) else None
        if ref is not None and ref.path.startswith(community.path):
            return True
    return False


def _row(community, tasks, refused, stopped, all_items, first, last) -> dict:
    in_force = [i for i in all_items if coverage.covers(i.units, community) and _in_force_during(i, first, last)]
    per_item, other = defaultdict(lambda: {"tasks": 0, "hours": 0.0}), 0
    for task in tasks:
        code = _task_item(task)
        if code is None:
            other += 1
            continue
        per_item[code]["tasks"] += 1
        per_item[code]["hours"] += _hours(task, community)
    by_department = Counter(_department_of(f) for f in stopped if _stopped_here(f, community))
    reasons = Counter((f.detail or {}).get("reason") or "—" for f in refused)
    listed = [_item_row(i, per_item.pop(i.code, None)) for i in in_force]
    listed += [{"code": code, "name": None, "department": None, "in_force": False, "tasks": v["tasks"],
                "hours": round(v["hours"], 2), "resources": {}} for code, v in sorted(per_item.items())]
    return {
        "org_unit": community.code, "name": community.name_zh, "items_in_force": len(in_force), "items": listed,
        "tasks_received": sum(i["tasks"] for i in listed), "hours_spent": round(sum(i["hours"] for i in listed), 2),
        "other_tasks": other, "tasks_refused": len(refused),
        "refusal_reasons": [{"reason": r, "count": n} for r, n in reasons.most_common()],
        "admission_refusals": sum(by_department.values()),
        "admission_refusals_by_department": [_department_count(code, n) for code, n in by_department.most_common()],
        "funding_promised": sum(_amount(i.resources, "funding") for i in in_force),
        "staff_promised": sum(_amount(i.resources, "staff") for i in in_force),
    }


def _item_row(item, counted) -> dict:
    counted = counted or {"tasks": 0, "hours": 0.0}
    return {"code": item.code, "name": item.name, "department": item.department.code if item.department else None,
            "in_force": True, "tasks": counted["tasks"], "hours": round(counted["hours"], 2),
            "resources": item.resources or {}}


def _amount(resources, key: str) -> float:
    value = (resources or {}).get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _department_of(fact: CaseFact) -> str:
    code = (fact.detail or {}).get("department")
    if isinstance(code, str) and code:
        return code
    return tree.ref_by_id(fact.unit_id).code if fact.unit_id else "—"


def _department_count(code: str, count: int) -> dict:
    ref = tree.ref_by_code(code) if code != "—" else None
    return {"department": code, "name": ref.name_zh if ref else code, "count": count}


def _totals(rows: list[dict]) -> dict:
    keys = ("tasks_received", "hours_spent", "other_tasks", "tasks_refused", "admission_refusals",
            "funding_promised", "staff_promised")
    return {key: round(sum(r[key] for r in rows), 2) for key in keys}


def as_csv(report_: dict) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in report_["rows"]:
        writer.writerow({
            "month": report_["month"], "community": row["org_unit"], "name": row["name"],
            "items_in_force": row["items_in_force"], "tasks_received": row["tasks_received"],
            "hours_spent": row["hours_spent"], "other_tasks": row["other_tasks"], "tasks_refused": row["tasks_refused"],
            "refusal_reasons": cell("; ".join(f"{r['reason']}×{r['count']}" for r in row["refusal_reasons"])),
            "admission_refusals": row["admission_refusals"],
            "admission_refusals_by_department": "; ".join(
                f"{d['department']}×{d['count']}" for d in row["admission_refusals_by_department"]),
            "funding_promised": row["funding_promised"], "staff_promised": row["staff_promised"]} | {
                "name": cell(row["name"])})
    return out.getvalue()
