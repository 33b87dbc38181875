"""Weekly indicators for the supervisors' board: per child unit and ISO week over the last N weeks,
tasks completed, completed on time, the on-time rate, and the backlog at the end of the week.

- completed: tasks completed during the week (cancelled tasks are not counted);
- on time: of those, completed at or before their due time (a task with no time limit, or
  completed while its clock was paused, has nothing to be late against and counts as on time);
- backlog: tasks open at the end of the week: created before the week's end and not completed or
  cancelled before it; ``overdue`` is the part of the backlog already past its due time then;
- the on-time rate is on time ÷ due (应办结 = completed in the week + still open and overdue at
  its end), as 按期结案率 = 按期结案 ÷ 应结案 (domain §4): open late work lowers it, never hides.
Weeks are ISO weeks (Monday 00:00) in the business time zone; the current week is partial.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from .. import clock
from ..extensions import db
from ..models import HumanTask, OrgUnit, User
from ..models.task import COMPLETED
from ..org import tree
from . import supervision

MAX_WEEKS = 26


@dataclass
class Week:
    label: str  # ISO week, e.g. "2026-W10"
    start: datetime
    end: datetime


@dataclass
class WeekCounts:
    completed: int = 0
    on_time: int = 0
    backlog: int = 0
    overdue: int = 0

    @property
    def due(self) -> int:
        """应办结: completed in the week, or open and past due at its end."""
        return self.completed + self.overdue

    @property
    def rate(self) -> float | None:
        """On-time rate in [0, 1] (on time ÷ due), or None for a week with nothing due."""
        return self.on_time / self.due if self.due else None


@dataclass
class UnitSeries:
    code: str
    name: str
    path: str
    weeks: list[WeekCounts] = field(default_factory=list)


@dataclass
class WeeklyReport:
    org_unit: str
    name: str
    weeks: list[Week]
    units: list[UnitSeries]


def weeks_ending(now: datetime, count: int, zone: str) -> list[Week]:
    """The last ``count`` ISO weeks up to and including the one holding ``now``."""
    local = clock.as_utc(now).astimezone(ZoneInfo(zone))
    monday = date.fromordinal(local.date().toordinal() - local.weekday())
    result = []
    for back in range(count - 1, -1, -1):
        day = monday - timedelta(weeks=back)
        start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC)
        end = (datetime.combine(day + timedelta(days=7), datetime.min.time(), ZoneInfo(zone))).astimezone(UTC)
        year, number, _ = day.isocalendar()
        result.append(Week(f"{year}-W{number:02d}", start, end))
    return result


def _series(unit: OrgUnit) -> list[UnitSeries]:
    children = db.session.execute(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.path))
    rows = [UnitSeries(c.code, c.name_zh, c.path) for c in children.scalars()]
    return [UnitSeries(unit.code, unit.name_zh, unit.path), *rows]  # the unit's own tasks first


def _total(condition):
    return func.sum(case((condition, 1), else_=0))


def _count_week(unit: OrgUnit, week: Week) -> dict[str, WeekCounts]:
    """Counts for one week, grouped by the child unit each task's scope lies in."""
    child = func.substr(HumanTask.scope_path, 1, len(unit.path) + 9)
    scope = tree.within(HumanTask.scope_path, unit.path)
    finished_in_week = and_(HumanTask.state == COMPLETED, HumanTask.completed_at >= week.start,
                            HumanTask.completed_at < week.end)
    on_time = and_(finished_in_week, or_(HumanTask.due_at.is_(None), HumanTask.completed_at <= HumanTask.due_at))
    open_at_end = and_(HumanTask.created_at < week.end,
                       or_(HumanTask.completed_at.is_(None), HumanTask.completed_at >= week.end))
    late_at_end = and_(open_at_end, HumanTask.due_at.is_not(None), HumanTask.due_at < week.end)
    rows = db.session.execute(
        select(child, _total(finished_in_week), _total(on_time), _total(open_at_end), _total(late_at_end))
        .where(scope, HumanTask.created_at < week.end,
               or_(HumanTask.completed_at.is_(None), HumanTask.completed_at >= week.start))
        .group_by(child)
    ).all()
    return {path: WeekCounts(int(a or 0), int(b or 0), int(c or 0), int(d or 0)) for path, a, b, c, d in rows}


def weekly(user: User, code: str | None, weeks: int = 8, now: datetime | None = None) -> WeeklyReport:
    """Weekly indicators for ``code``'s child units (and the unit's own tasks); needs a supervising role."""
    unit = supervision.scope(user, code)  # the access check of the supervisors' view
    zone = current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai")
    calendar = weeks_ending(now or clock.now(), max(1, min(weeks, MAX_WEEKS)), zone)
    series = _series(unit)
    by_path = {s.path: s for s in series}
    for s in series:
        s.weeks = [WeekCounts() for _ in calendar]
    for index, week in enumerate(calendar):
        for path, counts in _count_week(unit, week).items():
            if path in by_path:
                by_path[path].weeks[index] = counts
    own = series[0]
    if not any(w.completed or w.backlog for w in own.weeks):
        series = series[1:]  # nothing is scoped at the unit itself: leave its row out
    return WeeklyReport(unit.code, unit.name_zh, calendar, series)
