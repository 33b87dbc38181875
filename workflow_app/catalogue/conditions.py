"""Catalogue versions and lookups. An import that changes nothing is a no-op; a changed one becomes
the next version. Cases copy the condition they were filed under, so later versions never change
a running case."""

import csv
import hashlib
import io

from sqlalchemy import func, select

from .. import audit, clock, uow
from ..calendar.arithmetic import UNITS
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..models import CatalogueCondition, CatalogueOverride, CatalogueVersion, OrgUnit
from ..org import tree
from ..repository.caches import forget_org, org_cached

COLUMNS = ("class", "category_code", "category", "subcategory_code", "subcategory", "condition_code", "condition",
           "time_limit", "time_unit", "closing_condition", "department_type", "severity")
ENGLISH = ("category_en", "subcategory_en", "condition_en", "closing_condition_en")  # optional columns
SEVERITIES = ("minor", "general", "serious", "emergency")
DEPARTMENT_TYPES = ("urban_management", "housing_construction", "market_regulation", "emergency", "water",
                    "transport", "environment", "public_security", "justice", "utilities", "community")


def _row_errors(number: int, row: dict, seen: set) -> list[dict]:
    errors = []

    def bad(field, message):
        errors.append({"row": number, "field": field, "message": message})

    code = row.get("condition_code", "")
    if not code or code in seen:
        bad("condition_code", "missing or repeated")
    if row.get("class") not in ("部件", "事件"):
        bad("class", "部件 or 事件")
    for field in ("category_code", "category", "subcategory_code", "subcategory", "condition", "closing_condition"):
        if not row.get(field):
            bad(field, "required")
    try:
        if float(row.get("time_limit", "")) <= 0:
            bad("time_limit", "must be positive")
    except ValueError:
        bad("time_limit", "not a number")
    if row.get("time_unit") not in UNITS:
        bad("time_unit", f"one of {', '.join(UNITS)}")
    if row.get("department_type") not in DEPARTMENT_TYPES:
        bad("department_type", f"one of {', '.join(DEPARTMENT_TYPES)}")
    if row.get("severity") not in SEVERITIES:
        bad("severity", f"one of {', '.join(SEVERITIES)}")
    seen.add(code)
    return errors + _english_errors(number, row)


def _english_errors(number: int, row: dict) -> list[dict]:
    return [{"row": number, "field": field, "message": f"at most {length} characters"}
            for field, length in zip(ENGLISH, (100, 100, 300, 300), strict=True) if len(row.get(field) or "") > length]


def parse(content: bytes) -> list[dict]:
    try:
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as error:
        raise InvalidInput(f"cannot read the CSV: {error}",
                           [{"row": None, "field": "file", "message": "not UTF-8 CSV"}]) from error
    if not rows or set(COLUMNS) - set(rows[0]):
        raise InvalidInput("the catalogue CSV needs the columns " + ", ".join(COLUMNS),
                           [{"row": 1, "field": "header", "message": "missing columns"}])
    seen, errors = set(), []
    for index, row in enumerate(rows):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        rows[index] = row
        errors.extend(_row_errors(index + 2, row, seen))
    if errors:
        raise InvalidInput(f"{len({e['row'] for e in errors})} row(s) have errors; nothing was imported", errors)
    return rows


def latest() -> CatalogueVersion | None:
    return db.session.execute(
        select(CatalogueVersion).order_by(CatalogueVersion.version.desc()).limit(1)).scalar_one_or_none()


def import_csv(content: bytes, actor=None, comment: str | None = None) -> tuple[CatalogueVersion, bool]:
    """Import a catalogue; returns (version, created). All rows or none."""
    rows = parse(content)
    digest = hashlib.sha256(content.replace(b"\r\n", b"\n")).hexdigest()

    def action(work):
        current = latest()
        if current is not None and current.sha256 == digest:
            return current, False
        number = (db.session.scalar(select(func.max(CatalogueVersion.version))) or 0) + 1
        version = CatalogueVersion(version=number, sha256=digest, imported_at=clock.now(),
                                   imported_by=getattr(actor, "username", None) or "system", comment=comment)
        work.add(version)
        work.flush()
        db.session.add_all(CatalogueCondition(
            version_id=version.id, code=r["condition_code"], kind=r["class"], category_code=r["category_code"],
            category=r["category"], subcategory_code=r["subcategory_code"], subcategory=r["subcategory"],
            condition=r["condition"], time_limit=float(r["time_limit"]), time_unit=r["time_unit"],
            closing_condition=r["closing_condition"], department_type=r["department_type"], severity=r["severity"],
            **{name: r.get(name) or None for name in ENGLISH},
        ) for r in rows)
        audit.record("catalogue_imported", actor=actor, subject=f"catalogue:v{number}", detail={"rows": len(rows)})
        work.after_commit(forget_org)
        return version, True

    return uow.run(action)


def conditions(version: CatalogueVersion | None = None) -> list[CatalogueCondition]:
    version = version or latest()
    if version is None:
        return []
    return list(db.session.execute(select(CatalogueCondition).where(CatalogueCondition.version_id == version.id)
                                   .order_by(CatalogueCondition.code)).scalars())


def _as_dict(row: CatalogueCondition, version: int) -> dict:
    return {"code": row.code, "class": row.kind, "category_code": row.category_code, "category": row.category,
            "subcategory_code": row.subcategory_code, "subcategory": row.subcategory, "condition": row.condition,
            "time_limit": row.time_limit, "time_unit": row.time_unit, "closing_condition": row.closing_condition,
            "department_type": row.department_type, "severity": row.severity, "catalogue_version": version,
            **{name: getattr(row, name) for name in ENGLISH}}


def in_english(item, name: str) -> str:
    """A condition's ``name`` (category, subcategory, condition, closing_condition) in English:
    its ``<name>_en``, else the Chinese. ``item``: a row or a looked-up dict."""
    read = item.get if isinstance(item, dict) else lambda key: getattr(item, key, None)
    return read(f"{name}_en") or read(name) or ""


def label(item, english: bool = False) -> str:
    """What a condition says, by its sub-category: '井盖：井盖缺失…' or 'Manhole covers: Manhole cover…'."""
    if english:
        return f"{in_english(item, 'subcategory')}: {in_english(item, 'condition')}"
    read = item.get if isinstance(item, dict) else lambda key: getattr(item, key, None)
    return f"{read('subcategory') or ''}：{read('condition') or ''}"


def _overrides(code: str) -> dict[str, tuple[float, str]]:
    rows = db.session.execute(select(CatalogueOverride).where(CatalogueOverride.condition_code == code)).scalars()
    return {o.locality: (o.time_limit, o.time_unit) for o in rows}


def lookup(code: str, unit=None) -> dict:
    """The condition as it applies in ``unit``: the nearest locality override of its limit wins."""
    def load():
        version = latest()
        row = None if version is None else db.session.execute(
            select(CatalogueCondition).where(CatalogueCondition.version_id == version.id,
                                             CatalogueCondition.code == code)).scalar_one_or_none()
        return (_as_dict(row, version.version), _overrides(code)) if row is not None else None

    found = org_cached(("catalogue", code), load)
    if found is None:
        raise NotFound(f"no catalogue condition {code!r}")
    standard, overrides = dict(found[0]), found[1]
    for ref in reversed(tree.ancestor_refs(unit) if unit is not None else []):
        if ref.code in overrides:
            standard["time_limit"], standard["time_unit"] = overrides[ref.code]
            standard["overridden_by"] = ref.code
            break
    return standard


def exists(code: str) -> bool:
    try:
        lookup(code)
        return True
    except NotFound:
        return False


def save_overrides(locality: str, items: list[dict], actor) -> int:
    """Set a locality's limits for conditions (``time_limit`` null removes an override)."""
    tree.require(locality, "locality")
    known = {c.code for c in conditions()}
    errors = {f"{i}.condition_code": ["unknown condition"] for i, item in enumerate(items)
              if item["condition_code"] not in known}
    if errors:
        raise InvalidInput("unknown catalogue conditions", errors)

    def action(work):
        existing = {o.condition_code: o for o in db.session.execute(
            select(CatalogueOverride).where(CatalogueOverride.locality == locality)).scalars()}
        for item in items:
            row = existing.get(item["condition_code"])
            if item.get("time_limit") is None:
                if row is not None:
                    db.session.delete(row)
                continue
            row = row or CatalogueOverride(locality=locality, condition_code=item["condition_code"])
            row.time_limit, row.time_unit = float(item["time_limit"]), item["time_unit"]
            work.add(row)
        audit.record("catalogue_overridden", actor=actor, subject=f"catalogue:{locality}", detail={"items": items})
        work.after_commit(forget_org)
        return len(items)

    return uow.run(action)


def departments_for(duty: str, unit=None) -> list[str]:
    """Codes of the departments (or external bodies) with ``duty`` in ``unit``'s county."""
    root = tree.root_of(unit) if unit is not None else tree.root_unit()
    if root is None:
        return []
    return list(db.session.execute(
        select(OrgUnit.code).where(OrgUnit.duty == duty, OrgUnit.kind.in_(("department", "external")),
                                   tree.within(OrgUnit.path, root.path)).order_by(OrgUnit.code)).scalars())
