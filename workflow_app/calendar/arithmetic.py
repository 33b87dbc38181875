"""Deadline arithmetic on a Chinese working calendar.

A ``WorkCalendar`` knows which dates are working days (statutory holidays and 调休 make-up
days from ``chinese_calendar``, plus local overrides) and which hours of a working day count
as working time. It adds time limits to a start moment and measures how much of a limit has
been used up, in one of four units:

- ``emergency_hours``: continuous clock time, nights and holidays included;
- ``work_hours``: only time inside the working periods of working days;
- ``work_days``: whole working days, landing at the same wall-clock time of day;
- ``days``: natural calendar days.

The module never reads the current time; callers pass timezone-aware datetimes in.

Inputs are bounded (every moment between ``EARLIEST`` and ``LATEST``, a range or an amount at most
about ``MAX_SPAN_YEARS`` years) and the work is proportional to the years spanned, not the days:
working days are counted a year at a time from cached per-year tallies, with the local overrides
looked up by bisection. A 100-year range costs about as much as a one-year one.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

UNITS = ("emergency_hours", "work_hours", "work_days", "days")

DEFAULT_PERIODS = ((time(8), time(12)), (time(14), time(18)))
_ONE_DAY = timedelta(days=1)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")

# What the arithmetic accepts: moments in these years, ranges and amounts up to about a century.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_SPAN_YEARS = 100
MAX_SPAN = timedelta(days=round(365.25 * MAX_SPAN_YEARS))
# The most of each unit one call may add (about MAX_SPAN_YEARS years of it).
MAX_AMOUNT = {"emergency_hours": MAX_SPAN.days * 24, "days": MAX_SPAN.days,
              "work_days": 250 * MAX_SPAN_YEARS, "work_hours": 250 * MAX_SPAN_YEARS * 8}


@lru_cache(maxsize=8192)
def _statutory_workday(day: date) -> bool:
    """Whether the national calendar makes ``day`` a working day.

    Outside the years ``chinese_calendar`` has data for, Monday to Friday are working days.
    """
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


@lru_cache(maxsize=512)
def _year_tally(year: int) -> tuple[int, ...]:
    """Running counts of national working days in ``year``: item i is the count before day i."""
    first = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)
        known = True
    except NotImplementedError:  # no data for the year: Monday to Friday, without a lookup per day
        known = False
    counts, total = [0], 0
    for offset in range((date(year + 1, 1, 1) - first).days):
        day = first + timedelta(days=offset)
        total += _statutory_workday(day) if known else day.weekday() < 5
        counts.append(total)
    return tuple(counts)


def _statutory_count(first: date, last: date) -> int:
    """National working days from ``first`` to ``last`` inclusive (0 when ``last`` is earlier)."""
    total = 0
    for year in range(first.year, last.year + 1):
        start = date(year, 1, 1)
        low = (max(first, start) - start).days
        high = (min(last, date(year, 12, 31)) - start).days
        if high >= low:
            tally = _year_tally(year)
            total += tally[high + 1] - tally[low]
    return total


def _in_range(days: tuple[date, ...], first: date, last: date) -> int:
    return max(0, bisect.bisect_right(days, last) - bisect.bisect_left(days, first))


def _duration(begin: time, end: time) -> timedelta:
    """The length of the span from ``begin`` to ``end`` on the same day."""
    return datetime.combine(date.min, end) - datetime.combine(date.min, begin)


def _check_periods(periods: tuple[tuple[time, time], ...]) -> None:
    """Raise ValueError unless the periods are non-empty, each positive, sorted and non-overlapping."""
    if not periods:
        raise ValueError("a working day needs at least one working period")
    previous_end = None
    for begin, end in periods:
        if not (isinstance(begin, time) and isinstance(end, time)):
            raise ValueError(f"working period {begin!r}-{end!r} must be made of datetime.time values")
        if begin >= end:
            raise ValueError(f"working period {begin:%H:%M}-{end:%H:%M} must end after it starts")
        if previous_end is not None and begin < previous_end:
            raise ValueError(
                f"working period starting {begin:%H:%M} overlaps or comes before the period ending "
                f"{previous_end:%H:%M}; periods must be sorted and must not overlap")
        previous_end = end


def _parse_clock(text: str, whole: str) -> time:
    """Turn "HH:MM" into a time, naming the whole period string in the error."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"bad time {text.strip()!r} in working period {whole.strip()!r}; expected HH:MM")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"time {text.strip()!r} in working period {whole.strip()!r} is out of range")
    return time(hour, minute)


def parse_periods(text: str) -> tuple[tuple[time, time], ...]:
    """Parse working periods written as "08:00-12:00,14:00-18:00".

    Periods are separated by commas and each is "HH:MM-HH:MM". Raises ValueError with a
    readable message for malformed text, a period that does not end after it starts, and
    periods that overlap or are not in time order. Periods may touch (12:00-14:00,14:00-18:00).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("working periods are empty; expected e.g. '08:00-12:00,14:00-18:00'")
    periods = []
    for part in text.split(","):
        bounds = part.split("-")
        if len(bounds) != 2:
            raise ValueError(f"bad working period {part.strip()!r}; expected HH:MM-HH:MM")
        periods.append((_parse_clock(bounds[0], part), _parse_clock(bounds[1], part)))
    result = tuple(periods)
    _check_periods(result)
    return result


def _check_aware(value: datetime, name: str) -> None:
    """Raise ValueError if ``value`` is not a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; got naive {value.isoformat()}")


def _check_unit(unit: str) -> None:
    """Raise ValueError for a unit this module does not know."""
    if unit not in UNITS:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {', '.join(UNITS)}")


def _check_amount(amount: float, unit: str | None = None) -> None:
    """Raise ValueError for a negative, infinite, non-numeric or (for ``unit``) too large amount."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise ValueError(f"amount must be a number, got {amount!r}")
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"amount must be a finite number >= 0, got {amount!r}")
    if unit in MAX_AMOUNT and amount > MAX_AMOUNT[unit]:
        raise ValueError(f"amount {amount:g} {unit} is too large: at most {MAX_AMOUNT[unit]} "
                         f"(about {MAX_SPAN_YEARS} years)")


def _check_moment(value: datetime, name: str) -> None:
    """Raise ValueError for a moment outside the years the arithmetic supports."""
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"{name} {value.isoformat()} is outside the supported years "
                         f"{EARLIEST.year}-{LATEST.year - 1}")


@dataclass(frozen=True)
class WorkCalendar:
    """A working calendar: a time zone, the working periods of a day and local date overrides.

    ``days_off`` are dates that are never working days in this locality; ``extra_workdays``
    are dates that always are (a date in both is a day off). Every other date follows the
    national calendar, with Monday to Friday used for years the package has no data for.
    """

    timezone: str = "Asia/Shanghai"
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    days_off: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        """Normalise the collections to immutable types and validate the settings."""
        object.__setattr__(self, "periods", tuple(tuple(period) for period in self.periods))
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "extra_workdays", frozenset(self.extra_workdays))
        _check_periods(self.periods)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"unknown time zone {self.timezone!r}") from error
        # Overrides that change the national answer, sorted for counting by bisection.
        object.__setattr__(self, "_lost", tuple(sorted(d for d in self.days_off if _statutory_workday(d))))
        object.__setattr__(self, "_gained", tuple(sorted(
            d for d in self.extra_workdays - self.days_off if not _statutory_workday(d))))

    @property
    def tzinfo(self) -> ZoneInfo:
        """The calendar's time zone object."""
        return ZoneInfo(self.timezone)

    @property
    def hours_per_day(self) -> float:
        """Working hours in one working day: the summed length of the periods."""
        return sum((_duration(begin, end) for begin, end in self.periods), timedelta()) / timedelta(hours=1)

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day, after local overrides and the national calendar."""
        if day in self.days_off:
            return False
        if day in self.extra_workdays:
            return True
        return _statutory_workday(day)

    def count_workdays(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last`` inclusive, in time proportional to the years."""
        if last < first:
            return 0
        return (_statutory_count(first, last) - _in_range(self._lost, first, last)
                + _in_range(self._gained, first, last))

    @property
    def _full_day(self) -> timedelta:
        return sum((_duration(begin, end) for begin, end in self.periods), timedelta())

    # -- public arithmetic -------------------------------------------------------------------

    def add(self, start: datetime, amount: float, unit: str) -> datetime:
        """The moment ``amount`` of ``unit`` after ``start``, in the calendar's time zone.

        ``start`` must be timezone-aware and ``amount`` must be zero or more.
        """
        _check_aware(start, "start")
        _check_unit(unit)
        _check_amount(amount, unit)
        _check_moment(start, "start")
        landed = self._add(start, amount, unit)
        _check_moment(landed, "the result")
        return landed

    def _add(self, start: datetime, amount: float, unit: str) -> datetime:
        if unit == "emergency_hours":
            return (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(self.tzinfo)
        if unit == "days":
            return self._add_days(self._wall(start), amount)
        if amount == 0:
            return start.astimezone(self.tzinfo)
        if unit == "work_hours":
            return self._local(self._add_work_hours(self._wall(start), timedelta(hours=amount)))
        return self._local(self._add_work_days(self._wall(start), amount))

    def elapsed(self, start: datetime, end: datetime, unit: str) -> float:
        """How much of ``unit`` has passed from ``start`` to ``end``; 0.0 if ``end`` is not later.

        Both datetimes must be timezone-aware.
        """
        _check_aware(start, "start")
        _check_aware(end, "end")
        _check_unit(unit)
        _check_moment(start, "start")
        _check_moment(end, "end")
        if end - start > MAX_SPAN:
            raise ValueError(f"the range from {start.isoformat()} to {end.isoformat()} is longer than "
                             f"{MAX_SPAN_YEARS} years")
        seconds = (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
        if seconds <= 0:
            return 0.0
        if unit == "emergency_hours":
            return seconds / 3600
        if unit == "days":
            return seconds / 86400
        worked = self._work_between(self._wall(start), self._wall(end)) / timedelta(hours=1)
        if unit == "work_hours":
            return worked
        return worked / self.hours_per_day

    # -- helpers on naive local wall-clock datetimes -----------------------------------------

    def _wall(self, moment: datetime) -> datetime:
        """The local wall-clock reading of an aware datetime, without tzinfo."""
        return moment.astimezone(self.tzinfo).replace(tzinfo=None)

    def _local(self, wall: datetime) -> datetime:
        """Attach the calendar's time zone to a wall-clock datetime."""
        return wall.replace(tzinfo=self.tzinfo)

    def _add_days(self, wall: datetime, amount: float) -> datetime:
        """Natural days: whole days keep the wall-clock time, a fraction adds 24h times the fraction."""
        whole = math.floor(amount)
        landed = self._local(datetime.combine(wall.date() + timedelta(days=whole), wall.time()))
        fraction = amount - whole
        if not fraction:
            return landed
        return (landed.astimezone(UTC) + timedelta(hours=24 * fraction)).astimezone(self.tzinfo)

    def _add_work_hours(self, wall: datetime, remaining: timedelta) -> datetime:
        """Consume ``remaining`` working time from ``wall``; ends at a period's end if it runs out there.

        Whole working days that the time outlasts are skipped in one step (``_after_workdays``)."""
        day, clock = wall.date(), wall.time()
        if clock != time.min:
            if self.is_workday(day):
                landed, remaining = self._spend_in_day(day, clock, remaining)
                if landed is not None:
                    return landed
            day += _ONE_DAY
        full_day = self._full_day
        if remaining > full_day:  # at midnight: every working day the time outlasts is spent whole
            whole = (remaining - timedelta(microseconds=1)) // full_day
            day = self._after_workdays(day - _ONE_DAY, whole) + _ONE_DAY
            remaining -= full_day * whole
        while not self.is_workday(day):
            day += _ONE_DAY
        landed, _ = self._spend_in_day(day, time.min, remaining)
        return landed

    def _after_workdays(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself for 0): whole years at a time."""
        while count > 0:
            year_end = date(day.year, 12, 31)
            if day < year_end and (ahead := self.count_workdays(day + _ONE_DAY, year_end)) < count:
                count, day = count - ahead, year_end
                continue
            day += _ONE_DAY
            count -= self.is_workday(day)
        return day

    def _spend_in_day(self, day: date, clock: time, remaining: timedelta) -> tuple[datetime | None, timedelta]:
        """Spend working time on one working day from ``clock`` on.

        Returns the landing moment (or None if the day ran out first) and the time still left.
        """
        for begin, end in self.periods:
            if end <= clock:
                continue
            begin = max(begin, clock)
            available = _duration(begin, end)
            if remaining <= available:
                return datetime.combine(day, begin) + remaining, timedelta()
            remaining -= available
        return None, remaining

    def _add_work_days(self, wall: datetime, amount: float) -> datetime:
        """Whole working days to the same wall-clock time, then any fraction as working hours."""
        whole = math.floor(amount)
        landed = datetime.combine(self._after_workdays(wall.date(), whole), wall.time())
        fraction = amount - whole
        if not fraction:
            return landed
        return self._add_work_hours(landed, timedelta(hours=fraction * self.hours_per_day))

    def _work_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time overlapping [start, end), both naive local wall-clock datetimes: the first and
        last days by their periods, the working days between them whole."""
        first, last = start.date(), end.date()
        total = timedelta()
        for day in {first, last}:
            if self.is_workday(day):
                total += self._work_in_day(day, start, end)
        if last - first > _ONE_DAY:
            total += self._full_day * self.count_workdays(first + _ONE_DAY, last - _ONE_DAY)
        return total

    def _work_in_day(self, day: date, start: datetime, end: datetime) -> timedelta:
        """Working time on one working day that falls inside [start, end)."""
        total = timedelta()
        for begin, finish in self.periods:
            low = max(start, datetime.combine(day, begin))
            high = min(end, datetime.combine(day, finish))
            if high > low:
                total += high - low
        return total
