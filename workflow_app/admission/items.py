"""The admitted-items list (事项清单): lookups by unit and date, and the writes that change it.

An item is in force for a unit on a day when one of its targets covers the unit (see
``coverage``), the day lies in its validity and it was not withdrawn by then. Every change is a
new version of the item and a new version of each target unit's list; only the admission
processes (through their effects) and a county's import write here."""

import math
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .. import audit, clock
from ..calendar import localities
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..models import OrgUnit
from ..org import people, tree
from . import coverage
from .records import LIST_NAMES, LISTS, AdmittedItem, ItemVersion, ListEntry

CODE_LENGTH = 64
RESOURCE_KEYS = ("funding", "staff", "training", "materials")


def county_of(unit) -> tree.UnitRef:
    ref = unit if isinstance(unit, tree.UnitRef) else tree.UnitRef.of(unit)
    return tree.root_of(ref)


def today(unit=None) -> date:
    """The business date now, in the calendar of ``unit``'s locality."""
    zone = localities.calendar_for(unit).timezone
    return clock.now().astimezone(ZoneInfo(zone)).date()


def find(county: tree.UnitRef, code) -> AdmittedItem | None:
    if not isinstance(code, str) or not code.strip() or len(code) > CODE_LENGTH:
        return None
    return db.session.execute(select(AdmittedItem).where(
        AdmittedItem.county_id == county.id, AdmittedItem.code == code.strip())).scalar_one_or_none()


def problem(item: AdmittedItem | None, unit: tree.UnitRef | None, day: date) -> str | None:
    """Why work under ``item`` may not reach ``unit`` on ``day`` (None: it may)."""
    if item is None:
        return "unknown"
    status = item.status_on(day)
    if status != "admitted":
        return status
    if day < item.valid_from:
        return "not_yet"
    if unit is not None and not coverage.covers(item.units, unit):
        return "not_for_unit"
    return None


def require(code: str, county: tree.UnitRef) -> AdmittedItem:
    item = find(county, code)
    if item is None:
        raise NotFound(f"no admitted item {code!r}")
    return item


# --- reading ------------------------------------------------------------------------------------
def items_of(county: tree.UnitRef, list_name: str | None = None, department: str | None = None) -> list:
    query = select(AdmittedItem).where(AdmittedItem.county_id == county.id).order_by(AdmittedItem.code)
    if list_name:
        query = query.where(AdmittedItem.list == list_name)
    if department:
        dept = tree.ref_by_code(department)
        query = query.where(AdmittedItem.department_id == (dept.id if dept else -1))
    return list(db.session.execute(query).scalars())


def listing(unit: tree.UnitRef | None, county: tree.UnitRef, status: str | None = None,
            list_name: str | None = None, department: str | None = None) -> list[AdmittedItem]:
    """Items for ``unit`` (inherited from its ancestors; a department's own; all of the county without a unit):
    without ``status`` the ones in force today, else those with that status (``all``: every one)."""
    day = today(county)
    found = []
    for item in items_of(county, list_name, department):
        if unit is not None and unit.kind == "area" and not coverage.covers(item.units, unit):
            continue
        if unit is not None and unit.kind != "area" and item.department_id != unit.id:
            continue  # a department's list: the items it answers for
        if status is None and not item.in_force_on(day):
            continue
        if status not in (None, "all") and item.status_on(day) != status:
            continue
        found.append(item)
    return found


def units_of(item: AdmittedItem) -> list[str]:
    return coverage.target_codes(item.units)


def view(item: AdmittedItem, day: date | None = None) -> dict:
    day = day or today(tree.ref_by_id(item.county_id))
    dept = item.department
    return {
        "code": item.code, "name": item.name, "list": item.list, "list_name": LIST_NAMES.get(item.list, ("", ""))[0],
        "department": dept.code if dept else None, "department_name": dept.name_zh if dept else None,
        "basis": item.basis, "description": item.description,
        "valid_from": item.valid_from.isoformat(), "valid_to": item.valid_to.isoformat() if item.valid_to else None,
        "status": item.status_on(day), "in_force": item.in_force_on(day),
        "withdrawn_from": item.withdrawn_from.isoformat() if item.withdrawn_from else None,
        "units": units_of(item), "targets": [_target_view(t) for t in item.units or []],
        "resources": item.resources or {}, "workload": item.workload, "version": item.version,
    }


def _target_view(target: dict) -> dict:
    unit = tree.ref_by_code(target.get("unit"))
    return {"unit": target.get("unit"), "name": unit.name_zh if unit else target.get("unit"),
            "levels": target.get("levels") or []}


def history(item: AdmittedItem) -> dict:
    versions = [{"version": v.version, "at": v.at, "kind": v.kind, "actor": v.actor, "instance_id": v.instance_id,
                 "decision": v.decision, "snapshot": v.snapshot} for v in item.versions]
    entries = db.session.execute(select(ListEntry).where(ListEntry.item_id == item.id)
                                 .order_by(ListEntry.id)).scalars()
    return {**view(item), "versions": versions, "lists": [entry_view(e) for e in entries]}


def entry_view(entry: ListEntry) -> dict:
    return {"unit": entry.unit.code, "unit_name": entry.unit.name_zh, "version": entry.version, "at": entry.at,
            "change": entry.change, "item_code": entry.item.code, "item_name": entry.item.name,
            "effective": entry.effective.isoformat(), "levels": entry.levels or [], "instance_id": entry.instance_id}


def list_history(unit: tree.UnitRef, limit: int = 500) -> list[ListEntry]:
    """Versions of the lists ``unit`` inherits: its own and its ancestors', newest first."""
    chain = [ref.id for ref in tree.ancestor_refs(unit)]
    rows = db.session.execute(select(ListEntry).where(ListEntry.unit_id.in_(chain))
                              .order_by(ListEntry.at.desc(), ListEntry.id.desc()).limit(limit)).scalars()
    return [row for row in rows if unit.kind != "area" or coverage.covers(
        [{"unit": row.unit.code, "levels": row.levels or coverage.default_levels(row.unit.level)}], unit)]


# --- writing (inside a unit of work) ------------------------------------------------------------
def day_of(value, field: str, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"{field} is required", {field: ["required"]})
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise InvalidInput(f"{field} is not a date", {field: ["not a date (YYYY-MM-DD)"]}) from error


def _department(code) -> OrgUnit:
    unit = tree.by_code(code) if isinstance(code, str) else None
    if unit is None or unit.kind == "area":
        raise InvalidInput(f"unknown department {code!r}", {"department": [f"unknown department {code!r}"]})
    return unit


def resources_of(data: dict) -> dict:
    """Resources (权随责走、费随事转) from flat fields or a ``resources`` object."""
    given = data.get("resources") if isinstance(data.get("resources"), dict) else {}
    found = {}
    for key in RESOURCE_KEYS:
        value = data.get(key, given.get(key))
        if isinstance(value, bool) or value in (None, ""):
            continue
        if isinstance(value, int | float):
            if math.isfinite(value) and 0 <= value <= 1e12:
                found[key] = value
        else:
            found[key] = str(value)[:1000]
    return found


def fields_of(data: dict, county: tree.UnitRef) -> dict:
    """An item's fields from an application's (or an import row's) data; InvalidInput if broken."""
    code = str(data.get("item_code") or data.get("code") or "").strip()
    targets, problems = coverage.targets(data.get("units"), data.get("levels"))
    errors = {}
    if not code or len(code) > CODE_LENGTH:
        errors["item_code"] = [f"1 to {CODE_LENGTH} characters"]
    list_name = data.get("item_list", data.get("list"))
    if list_name not in LISTS:
        errors["item_list"] = [f"one of {', '.join(LISTS)}"]
    if not str(data.get("name") or "").strip():
        errors["name"] = ["required"]
    if problems or not targets:
        errors["units"] = problems or ["at least one target unit"]
    elif any(tree.root_of(tree.ref_by_code(t["unit"])).id != county.id for t in targets):
        errors["units"] = ["every target unit must lie in the county"]
    if errors:
        raise InvalidInput("the item has errors", errors)
    valid_from, valid_to = day_of(data.get("valid_from"), "valid_from"), day_of(data.get("valid_to"), "valid_to", False)
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("valid_to is before valid_from", {"valid_to": ["before valid_from"]})
    workload = data.get("workload")
    workload = workload if isinstance(workload, int | float) and math.isfinite(workload) else None
    return {"code": code, "name": str(data["name"]).strip()[:200], "list": list_name,
            "department": _department(data.get("department")), "basis": str(data.get("basis") or ""),
            "description": data.get("description") or None, "units": targets, "valid_from": valid_from,
            "valid_to": valid_to, "resources": resources_of(data),
            "workload": int(workload) if workload is not None and 0 <= workload <= 1e9 else None}


def snapshot(item: AdmittedItem) -> dict:
    return {key: value for key, value in view(item).items() if key not in ("status", "in_force", "targets")} | {
        "targets": item.units}


def _lock_units(ids) -> None:
    """Serialise writers of the same lists (PostgreSQL; SQLite writers are serial already)."""
    if ids:
        db.session.execute(select(OrgUnit.id).where(OrgUnit.id.in_(sorted(ids))).with_for_update())


def same(item: AdmittedItem | None, fields: dict, withdrawn_from: date | None = None) -> bool:
    """Whether ``item`` already is what ``fields`` say (and is withdrawn from the same date)."""
    return item is not None and item.withdrawn_from == withdrawn_from and all(
        getattr(item, key) == value for key, value in fields.items())


def save(county: tree.UnitRef, fields: dict, kind: str, *, decision: dict | None = None, instance=None,
         actor: str | None = None) -> AdmittedItem:
    """Create or change an item (no commit): a new version of it and of its units' lists."""
    _lock_units([county.id])
    item = find(county, fields["code"])
    now = clock.now()
    before = list(item.units or []) if item is not None else []
    if item is None:
        item = AdmittedItem(county_id=county.id, created_at=now, version=0, **fields)
        db.session.add(item)
    else:
        for key, value in fields.items():
            setattr(item, key, value)
        item.withdrawn_from, item.withdrawal_reason, item.expired_at = None, None, None
    item.version += 1
    item.updated_at = now
    _version(item, kind, decision, instance, actor)
    db.session.flush()
    _list_changes(item, "added" if not before else "changed", item.valid_from, instance, before)
    return item


def _version(item: AdmittedItem, kind: str, decision, instance, actor) -> None:
    db.session.add(ItemVersion(item=item, version=item.version, at=clock.now(), kind=kind, snapshot=snapshot(item),
                               decision=decision, instance=instance, actor=actor))
    audit.record(f"admission_item_{kind}", actor=_actor(actor), instance=instance,
                 subject=f"admission_item:{item.code}", detail={"version": item.version, "units": units_of(item)})


def _actor(username: str | None):
    return people.by_username(username) if username and username != "system" else None


def _list_changes(item: AdmittedItem, change: str, effective: date, instance, before=()) -> None:
    previous = {t["unit"] for t in before}
    targets = list(item.units or [])
    removed = [{"unit": code, "levels": None} for code in previous - {t["unit"] for t in targets}]
    entries = [(t, "added" if t["unit"] not in previous else change) for t in targets]
    entries += [(t, "removed") for t in removed]
    refs = {t["unit"]: tree.ref_by_code(t["unit"]) for t, _ in entries}
    _lock_units([r.id for r in refs.values() if r is not None])
    for target, what in entries:
        unit = refs[target["unit"]]
        if unit is None:
            continue
        number = (db.session.scalar(select(func.max(ListEntry.version)).where(ListEntry.unit_id == unit.id)) or 0)
        db.session.add(ListEntry(unit_id=unit.id, version=number + 1, at=clock.now(), item=item, change=what,
                                 effective=effective, levels=target.get("levels"), instance=instance))
        db.session.flush()


def withdraw(item: AdmittedItem, effective: date, reason: str | None, *, instance=None, actor: str | None = None,
             decision: dict | None = None) -> AdmittedItem:
    """From ``effective`` on, new work under ``item`` is refused (no commit)."""
    _lock_units([item.county_id])
    item.withdrawn_from, item.withdrawal_reason = effective, (reason or None)
    item.version += 1
    item.updated_at = clock.now()
    _version(item, "withdrawn", {"reason": reason, "effective": effective.isoformat(), **(decision or {})},
             instance, actor)
    db.session.flush()
    _list_changes(item, "removed", effective, instance, item.units)
    return item


def record_expiry(item: AdmittedItem) -> None:
    item.version += 1
    item.updated_at = item.expired_at = clock.now()
    _version(item, "expired", {"valid_to": item.valid_to.isoformat() if item.valid_to else None}, None, "system")
    db.session.flush()
    _list_changes(item, "expired", item.valid_to or today(), None, item.units)
