"""Each locality's service-day settings and monthly themes, refined down the org tree.

A unit takes each setting from the nearest unit on its path that sets it (grid → community →
town → county), else the platform default: the county's rule applies everywhere below it, and a
town's own rule overrides it in that town only. Themes work the same way per month: a town's
theme for the month, else the county's.
"""

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit, clock, uow
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import User
from ..org import access, tree
from ..repository.caches import forget_org, org_cached
from . import rules
from .records import ServiceDaySetting, ServiceDayTheme

DEFAULTS = {"lead_days": 5, "deadline_days": 3, "pairing_cap": 15}
FIELDS = ("rule", "lead_days", "deadline_days", "pairing_cap")
MAX_PROJECTS, MAX_TEXT = 20, 200


@dataclass(frozen=True)
class Effective:
    """The settings that apply in a unit, and where each comes from (a unit code; None = default)."""

    rule: rules.Rule | None
    lead_days: int
    deadline_days: int
    pairing_cap: int
    sources: dict

    @property
    def rule_source(self) -> str | None:
        return self.sources.get("rule")

    def fingerprint(self) -> str:
        rule = self.rule.as_dict() if self.rule else None
        return f"{rule}@{self.rule_source} lead={self.lead_days} deadline={self.deadline_days}"


def _all_settings() -> dict[int, dict]:
    def load():
        rows = db.session.execute(select(ServiceDaySetting)).scalars()
        return {r.unit_id: {"code": r.unit.code, **{f: getattr(r, f) for f in FIELDS}} for r in rows}

    return org_cached(("service_day_settings",), load)


def effective(unit) -> Effective:
    """The settings that apply in ``unit`` (an OrgUnit or UnitRef)."""
    chain = tree.ancestor_refs(unit)
    own = _all_settings()
    values, sources = {"rule": None, **DEFAULTS}, {}
    for ref in chain:  # root first: the nearest unit's values win
        row = own.get(ref.id)
        if row is None:
            continue
        for name in FIELDS:
            if row[name] is not None:
                values[name], sources[name] = row[name], ref.code
    rule = rules.parse(values["rule"]) if values["rule"] else None
    return Effective(rule, values["lead_days"], values["deadline_days"], values["pairing_cap"], sources)


def view(code: str) -> dict:
    """A locality's own settings and those in effect there."""
    unit = tree.require(code, "locality")
    row = _all_settings().get(unit.id) or {}
    return {"locality": unit.code, **{f: row.get(f) for f in FIELDS}, "effective": effective(unit)}


def may_manage(actor: User, unit) -> bool:
    """Who sets a locality's service day and theme: its administrators and supervisors, and the
    leaders who oversee a town or county."""
    if access.capable(actor, access.ADMINISTER, unit) or access.capable(actor, access.SUPERVISE, unit):
        return True
    return unit.level in ("county", "town") and access.capable(actor, access.OVERSEE, unit)


def _require_manager(actor: User, unit) -> None:
    if not may_manage(actor, unit):
        raise Forbidden(f"{actor.username} may not set the service day of {unit.code}")


def _checked(payload: dict) -> dict:
    values, errors = {}, {}
    for name in FIELDS:
        if name not in payload:
            continue
        value = payload[name]
        try:
            if value is None:
                values[name] = None
            elif name == "rule":
                values[name] = rules.parse(value).as_dict()
            elif name == "pairing_cap":
                values[name] = rules.days(value, name, 1, rules.MAX_CAP)
            else:
                values[name] = rules.days(value, name)
        except rules.RuleError as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput("the service-day settings have errors", errors)
    return values


def save(locality: str, payload: dict, actor: User) -> dict:
    """Set a locality's own settings (fields not given are kept; ``null`` clears one)."""
    unit = tree.require(locality, "locality")
    if unit.kind != "area":
        raise InvalidInput("only an area unit has a service day", {"locality": ["a county, town, community or grid"]})
    _require_manager(actor, unit)
    values = _checked(payload)
    uow.run(lambda work: _save(work, unit, values, actor))
    forget_org()
    return view(unit.code)


def _save(work, unit, values: dict, actor: User) -> None:
    row = db.session.execute(select(ServiceDaySetting).where(ServiceDaySetting.unit_id == unit.id)) \
        .scalar_one_or_none()
    if row is None:
        row = ServiceDaySetting(unit_id=unit.id)
        work.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at, row.updated_by = clock.now(), actor.username
    audit.record("service_day_settings_changed", actor=actor, subject=f"service_day:{unit.code}", detail=values)


def clear(locality: str, actor: User) -> dict:
    """Remove a locality's own settings: it inherits every one again."""
    unit = tree.require(locality, "locality")
    _require_manager(actor, unit)

    def action(work):
        row = db.session.execute(select(ServiceDaySetting).where(ServiceDaySetting.unit_id == unit.id)) \
            .scalar_one_or_none()
        if row is None:
            raise NotFound(f"{unit.code} has no service-day settings of its own")
        db.session.delete(row)
        audit.record("service_day_settings_changed", actor=actor, subject=f"service_day:{unit.code}",
                     detail={"cleared": True})

    uow.run(action)
    forget_org()
    return view(unit.code)


# --- themes ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    theme: str
    projects: list
    source: str


def theme_for(unit, month: str) -> Theme | None:
    """The month's theme where ``unit`` lies: its own, else the nearest unit's above it."""
    chain = tree.ancestor_refs(unit)
    rows = {r.unit_id: r for r in db.session.execute(select(ServiceDayTheme).where(
        ServiceDayTheme.month == month, ServiceDayTheme.unit_id.in_([ref.id for ref in chain]))).scalars()}
    for ref in reversed(chain):
        row = rows.get(ref.id)
        if row is not None:
            return Theme(row.theme, list(row.projects or []), ref.code)
    return None


def _projects(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_PROJECTS:
        raise InvalidInput("projects must be a list", {"projects": [f"at most {MAX_PROJECTS} texts"]})
    found = [str(p).strip()[:MAX_TEXT] for p in value if isinstance(p, str | int | float) and str(p).strip()]
    return list(dict.fromkeys(found))


def checked_theme(month, theme, projects) -> tuple[str, str, list[str]]:
    try:
        rules.parse_month(month)
    except rules.RuleError as error:
        raise InvalidInput("the month is not valid", error.errors) from error
    if not isinstance(theme, str) or not theme.strip():
        raise InvalidInput("a theme is needed", {"theme": ["required"]})
    return month, theme.strip()[:MAX_TEXT], _projects(projects)


def save_theme(locality: str, month: str, theme: str, projects, actor: User | None, instance=None,
               authorise: bool = True) -> ServiceDayTheme:
    """Set the month's theme for a town or county (the planning task does this for its town)."""
    unit = tree.require(locality, "locality")
    if unit.kind != "area":
        raise InvalidInput("only an area unit has a service day", {"locality": ["a county, town, community or grid"]})
    if authorise:
        _require_manager(actor, unit)
    month, theme, projects = checked_theme(month, theme, projects)
    return uow.run(lambda work: _save_theme(work, unit, month, theme, projects, actor, instance))


def _save_theme(work, unit, month, theme, projects, actor, instance) -> ServiceDayTheme:
    with db.session.no_autoflush:
        row = db.session.execute(select(ServiceDayTheme).where(
            ServiceDayTheme.unit_id == unit.id, ServiceDayTheme.month == month)).scalar_one_or_none()
    if row is None:
        row = ServiceDayTheme(unit_id=unit.id, month=month)
        work.add(row)
    row.theme, row.projects, row.set_at = theme, projects, clock.now()
    row.set_by = getattr(actor, "username", None)
    if instance is not None:
        row.instance = instance
    audit.record("service_day_theme_set", actor=actor, subject=f"service_day:{unit.code}",
                 detail={"month": month, "theme": theme, "projects": projects})
    return row
