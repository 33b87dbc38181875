"""The service-day home page: the year's dates where the person works, its rule, the recent
service-day cases in their units, their open visits, and where they may pair households or read
the coverage."""

from dataclasses import dataclass, field

from sqlalchemy import select

from .. import clock
from ..calendar import localities
from ..extensions import db
from ..models import OrgUnit, User
from ..org import tree, visibility
from . import coverage, schedule, settings, visits
from .records import ServiceDayCase

MAX_CASES, MAX_GRIDS = 40, 60


@dataclass
class Overview:
    unit: OrgUnit
    year: int
    months: list
    effective: settings.Effective
    may_manage: bool
    may_coverage: bool
    open_visits: int
    cases: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    rule_source: OrgUnit | None = None  # the unit whose rule applies here (shown by its name)
    this_month: str = ""  # YYYY-MM, local time (the theme form's default)


def _recent_cases(actor: User) -> list[ServiceDayCase]:
    paths = [a.org_unit.path for a in actor.assignments if a.org_unit.kind == "area"]
    if not paths:
        return []
    rows = db.session.execute(select(ServiceDayCase).join(OrgUnit, OrgUnit.id == ServiceDayCase.unit_id)
                              .where(ServiceDayCase.kind == "day")
                              .order_by(ServiceDayCase.month.desc(), OrgUnit.path).limit(500)).scalars()
    return [r for r in rows if any(r.unit.path.startswith(p) for p in paths)][:MAX_CASES]


def _grids(actor: User) -> list[OrgUnit]:
    found = {}
    for assignment in visibility.household_roles(actor):
        for grid in db.session.execute(select(OrgUnit).where(tree.subtree(assignment.org_unit),
                                                             OrgUnit.level == "grid", OrgUnit.kind == "area")
                                       .order_by(OrgUnit.path).limit(MAX_GRIDS)).scalars():
            found.setdefault(grid.id, grid)
    return sorted(found.values(), key=lambda u: u.path)[:MAX_GRIDS]


def overview(actor: User, code: str | None = None, year: int | None = None) -> Overview:
    unit = tree.require(code, "org_unit") if code else schedule.home_unit(actor)
    local = clock.now().astimezone(localities.calendar_for(unit).tzinfo)
    year = year or local.year
    effective = settings.effective(unit)
    return Overview(unit=unit, year=year, months=schedule.listing(actor, unit.code, year),
                    effective=effective, may_manage=settings.may_manage(actor, unit),
                    may_coverage=coverage.may_read(actor, unit), open_visits=len(visits.my_open_visits(actor)),
                    cases=_recent_cases(actor), grids=_grids(actor), rule_source=tree.by_code(effective.rule_source),
                    this_month=local.strftime("%Y-%m"))
