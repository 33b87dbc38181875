"""The service-day schedule: each unit's service day per month, its planning day and deadline,
and the start schedules of the two timer-started processes.

A service day starts at midnight (local time) of its date and may start any time that day; its
planning opens ``lead_days`` working days before (default 5) and may open until the day itself;
visits are due by the end of the ``deadline_days``-th working day after it (default 3). The
processes' timer start events name these schedules in their ``schedule`` property
(``service_day``, ``service_day_planning``): the timer-start mechanism (timers/starts.py) asks
``DAY`` and ``PLANNING`` for each unit's next occurrence. A month that already has its case
(``ServiceDayCase``) never starts another.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import clock
from ..calendar import localities
from ..extensions import db
from ..models import OrgUnit, User
from ..org import tree
from ..timers.starts import Occurrence
from . import rules, settings
from .records import ServiceDayCase

LOOKAHEAD_MONTHS = 14


@dataclass(frozen=True)
class ServiceDay:
    """One month's service day in a unit."""

    month: str
    date: date
    rule: rules.Rule
    source: str | None
    starts_at: datetime  # midnight of the date, local time
    ends_at: datetime  # midnight after it
    planning_at: datetime  # when the planning task opens
    deadline: datetime  # visits still open after this are overdue

    def title(self) -> str:
        return f"{self.date.year}年{self.date.month}月网格服务日"


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def day_in(unit, year: int, month: int, effective: settings.Effective | None = None) -> ServiceDay | None:
    """The unit's service day in that month, or None when no rule applies there."""
    effective = effective or settings.effective(unit)
    if effective.rule is None:
        return None
    calendar = localities.calendar_for(unit)
    zone = calendar.tzinfo
    when = rules.service_date(effective.rule, year, month, calendar.is_workday)
    planning = rules.workdays_from(when, -effective.lead_days, calendar.is_workday)
    last_day = rules.workdays_from(when, effective.deadline_days, calendar.is_workday)
    return ServiceDay(
        month=rules.month_key(year, month), date=when, rule=effective.rule, source=effective.rule_source,
        starts_at=_midnight(when, zone), ends_at=_midnight(when + timedelta(days=1), zone),
        planning_at=_midnight(planning, zone), deadline=_midnight(last_day + timedelta(days=1), zone))


def _months_from(moment: datetime, zone: ZoneInfo, back: int = 1):
    local = moment.astimezone(zone)
    for offset in range(-back, LOOKAHEAD_MONTHS):
        yield rules.shift_month(local.year, local.month, offset)


def days_around(unit, moment: datetime, back: int = 1) -> list[ServiceDay]:
    """Service days from ``back`` months before ``moment``'s month to about a year after it."""
    effective = settings.effective(unit)
    if effective.rule is None:
        return []
    zone = localities.calendar_for(unit).tzinfo
    found = [day_in(unit, year, month, effective) for year, month in _months_from(moment, zone, back)]
    return [d for d in found if d is not None]


def day_for(unit, moment: datetime) -> ServiceDay | None:
    """The service day a case scheduled for ``moment`` belongs to: the first that has not ended."""
    return next((d for d in days_around(unit, moment) if d.ends_at > moment), None)


def latest_started(unit, moment: datetime) -> list[ServiceDay]:
    """Service days that have begun by ``moment``, newest first (for the demo and the pages)."""
    return sorted((d for d in days_around(unit, moment, back=3) if d.starts_at <= moment),
                  key=lambda d: d.starts_at, reverse=True)


def _started_months(unit, kind: str) -> set[str]:
    """Months that have had this unit's case of ``kind``; for planning also months whose service
    day has begun anywhere in the unit (planning it then would be too late)."""
    with db.session.no_autoflush:
        months = set(db.session.execute(select(ServiceDayCase.month).where(
            ServiceDayCase.unit_id == unit.id, ServiceDayCase.kind == kind)).scalars())
        if kind == "planning":
            months |= set(db.session.execute(select(ServiceDayCase.month).join(
                OrgUnit, OrgUnit.id == ServiceDayCase.unit_id).where(
                ServiceDayCase.kind == "day", tree.within(OrgUnit.path, unit.path))).scalars())
    return months


class _Starts:
    """A start schedule for the timer-start mechanism (see timers/starts.py ``Provider``)."""

    kind = "day"

    def window(self, day: ServiceDay) -> tuple[datetime, datetime]:
        return day.starts_at, day.ends_at

    def fingerprint(self, unit) -> str:
        return settings.effective(unit).fingerprint()

    def next(self, unit, moment: datetime, after: datetime | None = None) -> Occurrence | None:
        """The first occurrence whose window has not ended at ``moment``, starting after ``after``,
        in a month that has no case of this kind yet."""
        started = _started_months(unit, self.kind)
        for day in days_around(unit, moment):
            at, until = self.window(day)
            if until > moment and (after is None or at > after) and day.month not in started:
                return Occurrence(at, until)
        return None


class _PlanningStarts(_Starts):
    kind = "planning"

    def window(self, day: ServiceDay) -> tuple[datetime, datetime]:
        return day.planning_at, day.starts_at


DAY = _Starts()
PLANNING = _PlanningStarts()


# --- the schedule as the API lists it ----------------------------------------------------------

def listing(actor: User, code: str | None, year: int | None) -> list[dict]:
    """Each month's service day of ``year`` in a unit (the dates are public knowledge: anyone
    signed in may read them; default unit: where the actor works, else the county)."""
    unit = tree.require(code, "org_unit") if code else home_unit(actor)
    year = year or clock.now().astimezone(localities.calendar_for(unit).tzinfo).year
    effective = settings.effective(unit)
    months = []
    for month in range(1, 13):
        day = day_in(unit, year, month, effective)
        key = rules.month_key(year, month)
        theme = settings.theme_for(unit, key)
        months.append({
            "month": key, "date": day.date if day else None,
            "theme": theme.theme if theme else None, "projects": theme.projects if theme else [],
            "theme_source": theme.source if theme else None,
            "rule": effective.rule.as_dict() if effective.rule else None,
            "rule_text": effective.rule.describe() if effective.rule else None,
            "source_locality": effective.rule_source,
            "planning_date": day.planning_at.date() if day else None,
            "deadline": day.deadline if day else None,
        })
    return months


def home_unit(actor: User):
    """The highest area unit where the actor holds a role (else the county)."""
    units = [a.org_unit for a in actor.assignments if a.org_unit.kind == "area"]
    return min(units, key=lambda u: len(u.path)) if units else tree.root_unit()


def _scheduled_here(manifest: dict) -> bool:
    """The model's timer start event follows one of these schedules (its ``schedule`` property)."""
    return any(str((e.get("properties") or {}).get("schedule") or "").startswith("service_day")
               for e in manifest.get("timer_starts") or [])


def check_start(start) -> None:
    """A service-day (or planning) case started by hand: only by staff who work in that unit."""
    from ..errors import Forbidden
    from ..org import access

    if start.actor is None or not _scheduled_here(start.manifest):
        return
    if not access.works_in(start.actor, start.unit):
        raise Forbidden(f"{start.actor.username} does not work in {start.unit.code}")


def guard():
    from ..cases.guards import Guard

    return Guard("service_day_by_hand", check_start=check_start)
