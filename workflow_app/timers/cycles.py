"""When a timer start event fires next. ISO 8601 repeating intervals (``R[n]/<start>/<period>``)
with calendar-aware months and years: a monthly cycle anchored on the 31st fires on the last day
of shorter months and back on the 31st after them (the engine itself would freeze P1M as 31 days)."""

import calendar as stdlib_calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.I)


@dataclass(frozen=True)
class Period:
    months: int = 0
    delta: timedelta = timedelta(0)

    def after(self, anchor: datetime, times: int) -> datetime:
        moved = _add_months(anchor, self.months * times) if self.months else anchor
        return moved + self.delta * times


@dataclass(frozen=True)
class Schedule:
    """Occurrences ``anchor + k * period`` for k = 0 .. repeats-1 (repeats None = forever)."""

    anchor: datetime
    period: Period | None
    repeats: int | None

    def next_after(self, moment: datetime, done: int = 0) -> tuple[datetime | None, int]:
        """The first occurrence at or after ``moment`` that is not among the first ``done``, and its index."""
        if self.period is None:
            return (self.anchor, 0) if done == 0 and self.anchor >= moment else (None, 0)
        index = done
        while self.repeats is None or index < self.repeats:
            when = self.period.after(self.anchor, index)
            if when >= moment:
                return when, index
            index += 1
            if index > done + 100_000:
                break
        return None, index


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, stdlib_calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text.strip())
    if not match or not any(match.groups()):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    years, months, weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return Period(years * 12 + months, timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes,
                                                 seconds=seconds))


def _moment(text: str, timezone: str) -> datetime:
    """An ISO date-time kept in its own offset (months are added on the local calendar);
    a time without an offset is local time in ``timezone``."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def parse(value: str, default_start: datetime, timezone: str = "Asia/Shanghai") -> Schedule:
    """A start event's evaluated timer value: a repeating interval, a date-time, or a duration."""
    text = value.strip()
    if text.upper().startswith("R"):
        head, _, rest = text.partition("/")
        repeats = int(head[1:]) if head[1:] else None
        first, _, second = rest.partition("/")
        if first.upper().startswith("P"):
            anchor = _moment(second, timezone) if second else default_start
            return Schedule(anchor, parse_period(first), repeats)
        return Schedule(_moment(first, timezone), parse_period(second), repeats)
    if text.upper().startswith("P"):
        return Schedule(parse_period(text).after(default_start, 1), None, 1)
    return Schedule(_moment(text, timezone), None, 1)
