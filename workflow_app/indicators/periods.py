"""Evaluation periods: a month (``2026-11``), a quarter (``2026-Q4``), a year (``2026``) or a range
of days (``from``/``to``, both included), on local days of the business time zone."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from .. import clock
from ..errors import InvalidInput

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_RANGE_DAYS = 366 * 5
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai"))


def local_day(moment: datetime, in_zone: ZoneInfo | None = None) -> date:
    """The business-time-zone date of a moment (``in_zone``: the zone, when the caller has it)."""
    if moment.tzinfo is None:
        moment = clock.as_utc(moment)
    return moment.astimezone(in_zone or zone()).date()


def day_start(day: date) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time.min, zone()).astimezone(UTC)


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Local days ``[start, end)``; ``kind`` is month, quarter, year or range."""

    key: str
    kind: str
    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return day_start(self.start)

    @property
    def ends_at(self) -> datetime:
        return day_start(self.end)

    def closed(self, now: datetime | None = None) -> bool:
        return (now or clock.now()) >= self.ends_at

    def as_of(self, now: datetime | None = None) -> datetime:
        """When the period's stocks (open, overdue) are read: its end, or now while it runs."""
        return min(self.ends_at, now or clock.now())

    def months(self) -> list["Period"]:
        """The whole months inside the period."""
        found, day = [], self.start if self.start.day == 1 else _month_after(self.start)
        while _month_after(day) <= self.end:
            found.append(month(day.year, day.month))
            day = _month_after(day)
        return found

    def previous(self) -> "Period":
        if self.kind == "month":
            day = self.start - timedelta(days=1)
            return month(day.year, day.month)
        if self.kind == "quarter":
            day = self.start - timedelta(days=1)
            return quarter(day.year, (day.month - 1) // 3 + 1)
        if self.kind == "year":
            return year(self.start.year - 1)
        length = self.end - self.start
        return days(self.start - length, self.start - timedelta(days=1))

    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start.isoformat()} 至 {(self.end - timedelta(days=1)).isoformat()}"

    def label_en(self) -> str:
        if self.kind == "month":
            return f"{MONTHS_EN[self.start.month - 1]} {self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()} to {(self.end - timedelta(days=1)).isoformat()}"


def _year_ok(value: int, field: str) -> int:
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise InvalidInput(f"the year must be between {MIN_YEAR} and {MAX_YEAR}", {field: ["year out of range"]})
    return value


def month(y: int, m: int) -> Period:
    start = date(y, m, 1)
    return Period(f"{y:04d}-{m:02d}", "month", start, _month_after(start))


def quarter(y: int, q: int) -> Period:
    start = date(y, 3 * (q - 1) + 1, 1)
    end = date(y + (q == 4), (3 * q) % 12 + 1, 1)
    return Period(f"{y:04d}-Q{q}", "quarter", start, end)


def year(y: int) -> Period:
    return Period(f"{y:04d}", "year", date(y, 1, 1), date(y + 1, 1, 1))


def days(first: date, last: date) -> Period:
    return Period(f"{first.isoformat()}~{last.isoformat()}", "range", first, last + timedelta(days=1))


def current_month(now: datetime | None = None) -> Period:
    today = local_day(now or clock.now())
    return month(today.year, today.month)


def parse(key: str | None, first: date | None = None, last: date | None = None) -> Period:
    """A period from its key, or from two dates; the current month when neither is given."""
    if first is not None or last is not None:
        return _range(first, last)
    if not key:
        return current_month()
    key = key.strip()
    if match := _MONTH.match(key):
        y, m = _year_ok(int(match.group(1)), "period"), int(match.group(2))
        if not 1 <= m <= 12:
            raise InvalidInput("the month must be 01 to 12", {"period": ["month out of range"]})
        return month(y, m)
    if match := _QUARTER.match(key):
        return quarter(_year_ok(int(match.group(1)), "period"), int(match.group(2)))
    if match := _YEAR.match(key):
        return year(_year_ok(int(match.group(1)), "period"))
    raise InvalidInput("a period is YYYY-MM, YYYY-Qn or YYYY (or give from and to dates)",
                       {"period": ["use YYYY-MM, YYYY-Qn or YYYY"]})


def _range(first: date | None, last: date | None) -> Period:
    if first is None or last is None:
        missing = "from" if first is None else "to"
        raise InvalidInput("a range needs both from and to", {missing: ["required with the other date"]})
    _year_ok(first.year, "from")
    _year_ok(last.year, "to")
    if last < first:
        raise InvalidInput("to is before from", {"to": ["must not be before from"]})
    if (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput("a range may span at most five years", {"to": ["range too long"]})
    return days(first, last)


def month_of(key: str) -> Period:
    """A month key (YYYY-MM), else InvalidInput naming ``period``."""
    found = parse(key)
    if found.kind != "month":
        raise InvalidInput("this needs a month (YYYY-MM)", {"period": ["use YYYY-MM"]})
    return found


def months_between(first: date, last_end: date) -> list[Period]:
    """Months from the one holding ``first`` up to those ending by ``last_end``."""
    found, current = [], month(first.year, first.month)
    while current.end <= last_end:
        found.append(current)
        current = month(current.end.year, current.end.month)
    return found
