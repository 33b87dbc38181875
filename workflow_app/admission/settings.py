"""A county's enforcement settings: the levels whose tasks need an admitted item (default
community and grid, and so everything below the highest of them) and the processes exempt from
enforcement (default the event-handling loop, the platform's own work, not pushed work)."""

from dataclasses import dataclass

from .. import audit, clock, uow
from ..errors import InvalidInput
from ..extensions import db
from ..models.org import LEVELS
from ..org import access, tree
from ..repository.caches import forget_org, org_cached
from .coverage import DEPTH
from .records import DEFAULT_EXEMPT, DEFAULT_LEVELS, AdmissionSetting

MAX_EXEMPT = 200
MEETING = "joint_meeting"


@dataclass(frozen=True)
class Settings:
    county: str
    levels: tuple[str, ...]
    exempt: frozenset[str]
    updated_at: object = None
    updated_by: str | None = None

    def enforces(self, level: str) -> bool:
        """Tasks scoped at ``level`` need an admitted item (at or below the highest level listed)."""
        depths = [DEPTH[lv] for lv in self.levels if lv in DEPTH]
        return bool(depths) and DEPTH.get(level, -1) >= min(depths)

    def as_dict(self) -> dict:
        return {"county": self.county, "levels": list(self.levels), "exempt": sorted(self.exempt),
                "updated_at": self.updated_at, "updated_by": self.updated_by}


def for_county(county: tree.UnitRef) -> Settings:
    def load():
        row = db.session.get(AdmissionSetting, county.id)
        if row is None:
            return Settings(county.code, DEFAULT_LEVELS, frozenset(DEFAULT_EXEMPT))
        return Settings(county.code, tuple(row.levels), frozenset(row.exempt), row.updated_at, row.updated_by)

    return org_cached(("admission_settings", county.id), load)


def for_unit(unit) -> Settings:
    ref = unit if isinstance(unit, tree.UnitRef) else tree.UnitRef.of(unit)
    return for_county(tree.root_of(ref))


def _checked(levels, exempt) -> tuple[list[str], list[str]]:
    errors = {}
    levels = [lv for lv in dict.fromkeys(levels or []) if isinstance(lv, str)]
    if not levels or any(lv not in LEVELS or lv == "county" for lv in levels):
        errors["levels"] = [f"one or more of {', '.join(LEVELS[1:])}"]
    exempt = [key for key in dict.fromkeys(exempt or []) if isinstance(key, str) and 0 < len(key) <= 128]
    if len(exempt) > MAX_EXEMPT:
        errors["exempt"] = [f"at most {MAX_EXEMPT} processes"]
    if errors:
        raise InvalidInput("invalid admission settings", errors)
    return sorted(levels, key=DEPTH.get), sorted(exempt)


def may_configure(actor, county) -> bool:
    return access.capable(actor, access.ADMINISTER, county) or access.holds(actor, MEETING, county)


def save(county_code: str | None, levels, exempt, actor) -> Settings:
    """Set a county's enforcement (its administrators or joint meeting)."""
    county = tree.require(county_code, "county") if county_code else tree.root_unit()
    if county is None or county.parent_id is not None:
        raise InvalidInput("settings belong to a county", {"county": ["not a county"]})
    if not may_configure(actor, county):
        from ..errors import Forbidden

        raise Forbidden(f"{actor.username} may not configure admission for {county.code}")
    levels, exempt = _checked(levels, exempt)

    def action(work):
        row = db.session.get(AdmissionSetting, county.id)
        if row is None:
            row = AdmissionSetting(county_id=county.id)
            work.add(row)
        row.levels, row.exempt, row.updated_at, row.updated_by = levels, exempt, clock.now(), actor.username
        audit.record("admission_settings_changed", actor=actor, subject=f"admission:{county.code}",
                     detail={"levels": levels, "exempt": exempt})
        work.after_commit(forget_org)

    uow.run(action)
    forget_org()
    return for_county(tree.UnitRef.of(county)).as_dict()


def read(actor, county_code: str | None = None) -> dict:
    county = tree.require(county_code, "county") if county_code else tree.root_unit()
    if county is None:
        raise InvalidInput("there is no county yet", {"county": ["no org units"]})
    return for_unit(county).as_dict()
