"""The org-unit tree: lookups, ancestors and the materialized path."""

from dataclasses import dataclass

from sqlalchemy import and_, select

from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..models import OrgUnit
from ..models.org import GRID_TYPES, KINDS, LEVELS
from ..repository.caches import forget_org, org_cached


@dataclass(frozen=True)
class UnitRef:
    """A unit as plain values (safe to cache and share between sessions)."""

    id: int
    code: str
    level: str
    kind: str
    path: str
    name_zh: str

    @classmethod
    def of(cls, unit: OrgUnit) -> "UnitRef":
        return cls(unit.id, unit.code, unit.level, unit.kind, unit.path, unit.name_zh)


def by_code(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    return db.session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one_or_none()


def require(code: str | None, field: str = "org_unit") -> OrgUnit:
    unit = by_code(code)
    if unit is None:
        raise InvalidInput(f"unknown org unit {code!r}", {field: [f"unknown org unit {code!r}"]})
    return unit


def get(code: str) -> OrgUnit:
    unit = by_code(code)
    if unit is None:
        raise NotFound(f"no org unit {code!r}")
    return unit


def root_unit() -> OrgUnit | None:
    """The (first) county: where platform-wide administration is held."""
    return db.session.execute(
        select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.path).limit(1)
    ).scalar_one_or_none()


def units(kinds: list[str] | None = None, county_of=None, levels: list[str] | None = None) -> list[OrgUnit]:
    """Org units in tree order, optionally of some kinds and levels, in ``county_of``'s county."""
    query = select(OrgUnit).order_by(OrgUnit.path)
    if kinds:
        query = query.where(OrgUnit.kind.in_(kinds))
    if levels:
        query = query.where(OrgUnit.level.in_(levels))
    if county_of is not None:
        query = query.where(within(OrgUnit.path, root_of(county_of).path))
    return list(db.session.execute(query).scalars())


def listing(level: str | None = None, parent: str | None = None) -> list[OrgUnit]:
    """Org units in tree order, optionally of one level and/or directly under the unit ``parent``."""
    query = select(OrgUnit).order_by(OrgUnit.path)
    if level:
        query = query.where(OrgUnit.level == level)
    if parent:
        parent_id = select(OrgUnit.id).where(OrgUnit.code == parent).scalar_subquery()
        query = query.where(OrgUnit.parent_id == parent_id)
    return list(db.session.execute(query).scalars())


def path_ids(unit: OrgUnit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's chain from the root down to (and including) the unit itself."""
    ids = path_ids(unit)
    rows = db.session.execute(select(OrgUnit).where(OrgUnit.id.in_(ids))).scalars().all()
    by_id = {u.id: u for u in rows}
    return [by_id[i] for i in ids if i in by_id]


def ancestor_refs(unit) -> list[UnitRef]:
    """``ancestors`` as cached plain values (the org TTL cache)."""
    return org_cached(("ancestors", unit.path), lambda: [UnitRef.of(u) for u in ancestors(unit)])


def ref_by_id(unit_id: int) -> UnitRef:
    return org_cached(("id", unit_id), lambda: UnitRef.of(db.session.get(OrgUnit, unit_id)))


def ref_by_code(code: str | None) -> UnitRef | None:
    if not code:
        return None

    def load():
        unit = by_code(code)
        return UnitRef.of(unit) if unit is not None else None

    return org_cached(("code", code), load)


def ancestor_at(unit, level: str) -> UnitRef:
    """The unit's ancestor (or itself) at ``level``; the unit itself when it sits above that level."""
    chain = ancestor_refs(unit)
    for candidate in reversed(chain):
        if candidate.level == level and candidate.kind == "area":
            return candidate
    return chain[-1]


def root_of(unit) -> UnitRef:
    return ancestor_refs(unit)[0]


def within(column, path: str):
    """A filter clause: ``column`` (a materialized path) at or under ``path``.

    A range, not LIKE: it uses the B-tree index on both databases whatever plan PostgreSQL
    caches ('/' sorts just before '0', so every path under ``path`` falls in [path, path⁺))."""
    return and_(column >= path, column < path[:-1] + "0")


def subtree(unit: OrgUnit):
    """A filter clause: units at or under ``unit``."""
    return within(OrgUnit.path, unit.path)


def validate_fields(level: str, kind: str, grid_type: str | None) -> dict:
    errors = {}
    if level not in LEVELS:
        errors["level"] = [f"level must be one of {', '.join(LEVELS)}"]
    if kind not in KINDS:
        errors["type"] = [f"type must be one of {', '.join(KINDS)}"]
    if grid_type and grid_type not in GRID_TYPES:
        errors["grid_type"] = [f"grid type must be one of {', '.join(GRID_TYPES)}"]
    return errors


def save_unit(*, code: str, name_zh: str, level: str, parent: OrgUnit | None, kind: str = "area",
              name_en: str | None = None, grid_type: str | None = None, duty: str | None = None) -> OrgUnit:
    """Create or update a unit by code (no commit). Moving a unit re-paths its subtree."""
    errors = validate_fields(level, kind, grid_type)
    if errors:
        raise InvalidInput(f"invalid org unit {code!r}", errors)
    unit = by_code(code) or OrgUnit(code=code, path="")
    old_path = unit.path
    if parent is not None and old_path and parent.path.startswith(old_path):
        raise InvalidInput(f"{code} cannot move under its own subtree", {"parent": ["cycle"]})
    if unit.id is None:
        db.session.add(unit)
    unit.name_zh, unit.name_en, unit.level, unit.kind = name_zh, name_en, level, kind
    unit.grid_type = grid_type if level == "grid" else None
    unit.duty = duty if kind != "area" else None
    unit.parent = parent
    db.session.flush()
    new_path = f"{parent.path if parent else '/'}{unit.id:08d}/"
    if new_path != old_path:
        _repath(unit, old_path, new_path)
    forget_org()
    return unit


def _repath(unit: OrgUnit, old_path: str, new_path: str) -> None:
    if old_path:
        descendants = db.session.execute(
            select(OrgUnit).where(within(OrgUnit.path, old_path), OrgUnit.id != unit.id)
        ).scalars()
        for child in descendants:
            child.path = new_path + child.path[len(old_path):]
    unit.path = new_path
