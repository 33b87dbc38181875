"""When a locality's service day falls: its rule, as data, and the dates it gives.

A rule is ``{"day": 15}`` (the 15th; the last day of shorter months) or ``{"weekday": "fri",
"nth": 1}`` (the first Friday; ``nth`` 1 to 4, or -1 for the last). A date that is not a working
day on the locality's calendar (a weekend, a statutory holiday) moves to the next working day,
where 调休 make-up days count as working days. Nothing here reads the clock or the database: the
calendar comes in as ``is_workday``.
"""

import calendar as stdlib_calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", -1: "最后一个"}
ORDINALS_EN = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
MAX_SHIFT = 60  # a holiday never lasts this long: past it the calendar is broken, not the rule
MAX_DAYS = 30  # lead and deadline days: at most this many working days
MAX_CAP = 500

Workday = Callable[[date], bool]


class RuleError(ValueError):
    """A rule that cannot be followed: ``errors`` names the fields."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Rule:
    day: int | None = None
    weekday: int | None = None  # 0 = Monday
    nth: int | None = None

    def nominal(self, year: int, month: int) -> date:
        """The rule's date in that month before any holiday moves it."""
        last = stdlib_calendar.monthrange(year, month)[1]
        if self.day is not None:
            return date(year, month, min(self.day, last))
        if self.nth == -1:
            end = date(year, month, last)
            return end - timedelta(days=(end.weekday() - self.weekday) % 7)
        first = date(year, month, 1)
        return first + timedelta(days=(self.weekday - first.weekday()) % 7 + 7 * (self.nth - 1))

    def as_dict(self) -> dict:
        if self.day is not None:
            return {"day": self.day}
        return {"weekday": WEEKDAYS[self.weekday], "nth": self.nth}

    def describe(self, lang: str = "zh") -> str:
        if lang == "en":
            if self.day is not None:
                return f"day {self.day} of every month"
            return f"the {ORDINALS_EN[self.nth]} {WEEKDAY_NAMES_EN[self.weekday]} of every month"
        if self.day is not None:
            return f"每月{self.day}日"
        return f"每月{ORDINALS[self.nth]}{WEEKDAY_NAMES[self.weekday]}"


def _whole(value, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def parse(raw) -> Rule:
    """A rule from its JSON form; ``RuleError`` says which field is wrong and why."""
    if not isinstance(raw, dict):
        raise RuleError({"rule": ['a rule is {"day": 15} or {"weekday": "fri", "nth": 1}']})
    unknown = sorted(set(raw) - {"day", "weekday", "nth"})
    if unknown:
        raise RuleError({f"rule.{k}": ["unknown field"] for k in unknown})
    if "day" in raw:
        if "weekday" in raw or "nth" in raw:
            raise RuleError({"rule": ["give either day, or weekday and nth"]})
        day = _whole(raw["day"], 1, 31)
        if day is None:
            raise RuleError({"rule.day": ["a day of the month from 1 to 31"]})
        return Rule(day=day)
    weekday = raw.get("weekday")
    errors = {}
    if not isinstance(weekday, str) or weekday.strip().lower()[:3] not in WEEKDAYS:
        errors["rule.weekday"] = [f"one of {', '.join(WEEKDAYS)}"]
    nth = raw.get("nth")
    if _whole(nth, -1, 4) in (None, 0):
        errors["rule.nth"] = ["1 to 4, or -1 for the last"]
    if errors:
        raise RuleError(errors)
    return Rule(weekday=WEEKDAYS.index(weekday.strip().lower()[:3]), nth=nth)


def days(value, field: str, low: int = 0, high: int = MAX_DAYS) -> int:
    found = _whole(value, low, high)
    if found is None:
        raise RuleError({field: [f"a whole number from {low} to {high}"]})
    return found


def next_workday(day: date, is_workday: Workday) -> date:
    """``day`` if it is a working day, else the first working day after it."""
    for _ in range(MAX_SHIFT):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    return day


def service_date(rule: Rule, year: int, month: int, is_workday: Workday) -> date:
    """The month's service day on a calendar: the rule's date, moved past days off."""
    return next_workday(rule.nominal(year, month), is_workday)


def workdays_from(day: date, count: int, is_workday: Workday) -> date:
    """The ``count``-th working day after ``day`` (before it, for a negative count; ``day`` for 0)."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    for _ in range(MAX_SHIFT * (remaining + 1)):
        if remaining == 0:
            return day
        day += step
        remaining -= is_workday(day)
    return day


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def parse_month(text) -> tuple[int, int]:
    """(year, month) of 'YYYY-MM'; RuleError otherwise."""
    if isinstance(text, str) and len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        year, month = int(text[:4]), int(text[5:])
        if 1900 <= year <= 2199 and 1 <= month <= 12:
            return year, month
    raise RuleError({"month": ["a month as YYYY-MM"]})
