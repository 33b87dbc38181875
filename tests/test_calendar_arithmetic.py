"""Working-calendar arithmetic: working hours, working days, natural time, holidays and overrides.

Holiday facts below were checked against chinese_calendar 1.11.0:
- Spring Festival 2026: 02-15 (Sun) to 02-23 (Mon) off; Sat 02-14 and Sat 02-28 are make-up working days.
- National Day 2026: 10-01 (Thu) to 10-07 (Wed) off; Sun 09-20 and Sat 10-10 are make-up working days,
  Sun 10-11 is an ordinary day off; Mid-autumn 09-25 (Fri) to 09-27 (Sun) off.
- 2026-03-02 to 2026-03-13 is an ordinary fortnight with no holiday nearby.
- The package has no data for 2027 (or before 2004) and raises NotImplementedError.
"""

import math
import time as stopwatch
from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from tests.support import HANG
from workflow_app.calendar import UNITS, WorkCalendar, arithmetic, parse_periods

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(year, month, day, hour=0, minute=0, tz=SHANGHAI) -> datetime:
    """An aware datetime, in Shanghai time unless told otherwise."""
    return datetime(year, month, day, hour, minute, tzinfo=tz)


# Ordinary week in March 2026.
FRI = (2026, 3, 6)
SAT = (2026, 3, 7)
MON = (2026, 3, 9)
TUE = (2026, 3, 10)


def test_units_are_exported_in_order():
    assert UNITS == ("emergency_hours", "work_hours", "work_days", "days")


# -- is_workday ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [
    (date(*FRI), True),
    (date(*SAT), False),
    (date(2026, 3, 8), False),
    (date(*MON), True),
    (date(2026, 2, 13), True),    # Friday before the Spring Festival
    (date(2026, 2, 14), True),    # Saturday make-up working day (调休)
    (date(2026, 2, 16), False),   # Spring Festival, a Monday
    (date(2026, 2, 20), False),   # Spring Festival, a Friday
    (date(2026, 2, 23), False),   # last day of the Spring Festival break, a Monday
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # Saturday make-up working day
    (date(2026, 9, 20), True),    # Sunday make-up working day for National Day
    (date(2026, 9, 25), False),   # Mid-autumn Festival, a Friday
    (date(2026, 9, 30), True),
    (date(2026, 10, 1), False),   # National Day
    (date(2026, 10, 5), False),   # National Day, a Monday
    (date(2026, 10, 7), False),
    (date(2026, 10, 8), True),
    (date(2026, 10, 10), True),   # Saturday make-up working day
    (date(2026, 10, 11), False),  # ordinary Sunday
    (date(2026, 1, 1), False),    # New Year's Day
    (date(2026, 1, 4), True),     # Sunday make-up working day for New Year
])
def test_is_workday_follows_the_national_calendar(day, expected):
    assert chinese_calendar.is_workday(day) is expected  # the facts the tests rely on
    assert CAL.is_workday(day) is expected


def test_years_without_data_fall_back_to_monday_to_friday():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 1))
    assert CAL.is_workday(date(2027, 1, 1)) is True    # a Friday; the package knows no 2027 holidays
    assert CAL.is_workday(date(2027, 1, 2)) is False   # Saturday
    assert CAL.is_workday(date(2027, 1, 3)) is False   # Sunday
    assert CAL.is_workday(date(2027, 10, 1)) is True   # a Friday: no holiday data, so a working day
    assert CAL.is_workday(date(2003, 10, 1)) is True   # before 2004 as well
    assert CAL.is_workday(date(2003, 10, 4)) is False


def test_overrides_win_over_the_national_calendar():
    cal = WorkCalendar(
        days_off=frozenset({date(*MON), date(2026, 2, 14), date(2026, 3, 11)}),
        extra_workdays=frozenset({date(*SAT), date(2026, 10, 1), date(2026, 3, 11), date(2027, 1, 2)}),
    )
    assert cal.is_workday(date(*MON)) is False         # ordinary Monday made a day off
    assert cal.is_workday(date(2026, 2, 14)) is False  # make-up Saturday cancelled locally
    assert cal.is_workday(date(*SAT)) is True          # ordinary Saturday made a working day
    assert cal.is_workday(date(2026, 10, 1)) is True   # even a statutory holiday
    assert cal.is_workday(date(2026, 3, 11)) is False  # in both: days_off wins
    assert cal.is_workday(date(2027, 1, 2)) is True    # overrides apply to fallback years too
    assert CAL.is_workday(date(*MON)) is True          # the default calendar is unaffected


def test_national_lookups_are_cached(monkeypatch):
    calls = []
    real = chinese_calendar.is_workday

    def counting(day):
        calls.append(day)
        return real(day)

    arithmetic._statutory_workday.cache_clear()
    monkeypatch.setattr(arithmetic.chinese_calendar, "is_workday", counting)
    for _ in range(3):
        assert CAL.is_workday(date(2011, 5, 17)) is True
    assert calls == [date(2011, 5, 17)]
    arithmetic._statutory_workday.cache_clear()


# -- work_hours ---------------------------------------------------------------------------------


def test_four_working_hours_from_friday_1700_are_due_monday_1100():
    assert CAL.add(at(*FRI, 17), 4, "work_hours") == at(*MON, 11)


@pytest.mark.parametrize(("start", "hours", "due"), [
    (at(*FRI, 8), 4, at(*FRI, 12)),           # runs out at the end of a period: stays there
    (at(*MON, 14), 4, at(*MON, 18)),          # end of the afternoon, not next morning
    (at(*MON, 8), 8, at(*MON, 18)),
    (at(*MON, 11), 2, at(*MON, 15)),          # the midday break does not count
    (at(*MON, 11, 45), 0.5, at(*MON, 14, 15)),
    (at(*MON, 12, 30), 1, at(*MON, 15)),      # start during the break
    (at(*MON, 7), 1, at(*MON, 9)),            # start before 08:00
    (at(*MON, 0), 0.5, at(*MON, 8, 30)),      # start at midnight
    (at(*MON, 19), 1, at(*TUE, 9)),           # start after 18:00
    (at(*MON, 18), 1, at(*TUE, 9)),           # start exactly at the end of the day
    (at(*SAT, 10), 1, at(*MON, 9)),           # start on a Saturday
    (at(*FRI, 18), 8, at(*MON, 18)),
    (at(*FRI, 17), 9, at(*MON, 18)),          # one hour Friday, eight Monday: ends Monday 18:00
    (at(*FRI, 17), 9.25, at(*TUE, 8, 15)),
    (at(*MON, 8), 40, at(2026, 3, 13, 18)),    # a full working week ends Friday 18:00
    (at(*MON, 8), 40.5, at(2026, 3, 16, 8, 30)),
    (at(*MON, 9, 10), 1 / 60, at(*MON, 9, 11)),
])
def test_work_hours_in_an_ordinary_week(start, hours, due):
    assert CAL.add(start, hours, "work_hours") == due


@pytest.mark.parametrize(("start", "hours", "due"), [
    (at(2026, 2, 13, 17), 2, at(2026, 2, 14, 9)),   # Friday into the make-up Saturday
    (at(2026, 2, 14, 17), 4, at(2026, 2, 24, 11)),  # make-up Saturday over the whole Spring Festival
    (at(2026, 2, 16, 10), 1, at(2026, 2, 24, 9)),   # start inside the holiday
    (at(2026, 9, 30, 17), 2, at(2026, 10, 8, 9)),   # over National Day
    (at(2026, 10, 9, 17), 2, at(2026, 10, 10, 9)),  # Friday into the make-up Saturday
    (at(2026, 10, 10, 17), 2, at(2026, 10, 12, 9)),  # Saturday over an ordinary Sunday
    (at(2026, 9, 19, 17), 1, at(2026, 9, 20, 9)),   # Saturday off, Sunday 09-20 is a make-up day
    (at(2026, 9, 24, 17), 2, at(2026, 9, 28, 9)),   # over the Mid-autumn Festival
])
def test_work_hours_skip_holidays_and_use_make_up_days(start, hours, due):
    assert CAL.add(start, hours, "work_hours") == due


@pytest.mark.parametrize("unit", ["work_hours", "work_days", "emergency_hours", "days"])
def test_zero_amount_returns_start_unchanged(unit):
    for start in (at(*SAT, 10, 7), at(*MON, 12, 30), at(*MON, 9, 15)):
        assert CAL.add(start, 0, unit) == start


# -- work_days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "days", "due"), [
    (at(*FRI, 10), 1, at(*MON, 10)),
    (at(*FRI, 10), 2, at(*TUE, 10)),
    (at(*SAT, 10), 1, at(*MON, 10)),             # counted from the next working day
    (at(*MON, 10), 1, at(*TUE, 10)),
    (at(*MON, 19, 30), 1, at(*TUE, 19, 30)),     # keeps the wall-clock time even outside working hours
    (at(*MON, 10), 5, at(2026, 3, 16, 10)),
    (at(*FRI, 10), 0.5, at(*FRI, 16)),           # half a day is four working hours
    (at(*FRI, 10), 1.5, at(*MON, 16)),
    (at(*FRI, 17), 1.25, at(*TUE, 9)),           # Monday 17:00 plus two working hours
    (at(2026, 2, 13, 10), 1, at(2026, 2, 14, 10)),  # make-up Saturday counts
    (at(2026, 2, 13, 10), 2, at(2026, 2, 24, 10)),  # Spring Festival skipped
    (at(2026, 9, 29, 10), 2, at(2026, 10, 8, 10)),
    (at(2026, 10, 9, 10), 2, at(2026, 10, 12, 10)),  # Saturday 10-10 counts, Sunday 10-11 does not
])
def test_work_days(start, days, due):
    assert CAL.add(start, days, "work_days") == due


@pytest.mark.parametrize(("start", "due"), [
    (at(*FRI, 10), at(*TUE, 10)),                 # ordinary weekend
    (at(2026, 9, 30, 10), at(2026, 10, 9, 10)),   # National Day
    (at(2026, 2, 14, 10), at(2026, 2, 25, 10)),   # Spring Festival
])
def test_a_two_working_day_limit_is_never_48_hours(start, due):
    result = CAL.add(start, 2, "work_days")
    assert result == due
    assert result != start + timedelta(hours=48)
    assert result - start > timedelta(hours=48)
    assert CAL.elapsed(start, start + timedelta(hours=48), "work_days") < 2
    assert CAL.elapsed(start, result, "work_days") == pytest.approx(2.0)


def test_work_days_cross_into_a_year_without_data():
    assert CAL.add(at(2026, 12, 31, 10), 2, "work_days") == at(2027, 1, 4, 10)  # Fri 2027-01-01 counts
    cal = WorkCalendar(days_off=frozenset({date(2027, 1, 1)}))
    assert cal.add(at(2026, 12, 31, 10), 2, "work_days") == at(2027, 1, 5, 10)


# -- natural time -------------------------------------------------------------------------------


def test_emergency_hours_are_continuous():
    assert CAL.add(at(*FRI, 17), 4, "emergency_hours") == at(*FRI, 21)
    assert CAL.add(at(*FRI, 17), 0.25, "emergency_hours") == at(*FRI, 17, 15)
    assert CAL.add(at(2026, 9, 30, 20), 48, "emergency_hours") == at(2026, 10, 2, 20)


def test_natural_days_ignore_weekends_and_holidays():
    assert CAL.add(at(*FRI, 10), 2, "days") == at(2026, 3, 8, 10)
    assert CAL.add(at(2026, 9, 30, 10), 3, "days") == at(2026, 10, 3, 10)
    assert CAL.add(at(*FRI, 10), 1.5, "days") == at(*SAT, 22)
    assert CAL.add(at(*FRI, 10), 0.25, "days") == at(*FRI, 16)


# -- elapsed ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "unit", "expected"), [
    (at(*FRI, 10), at(*MON, 10), "work_days", 1.0),
    (at(*FRI, 10), at(*TUE, 10), "work_days", 2.0),
    (at(*FRI, 10), at(*SAT, 10), "work_days", 0.75),
    (at(*FRI, 17), at(*MON, 11), "work_hours", 4.0),
    (at(*MON, 11), at(*MON, 15), "work_hours", 2.0),
    (at(*MON, 12), at(*MON, 14), "work_hours", 0.0),    # the break only
    (at(*SAT, 10), at(*MON, 10), "work_hours", 2.0),
    (at(*MON, 6), at(*MON, 23), "work_hours", 8.0),
    (at(2026, 2, 14, 7), at(2026, 2, 14, 20), "work_hours", 8.0),   # a make-up Saturday counts in full
    (at(2026, 9, 30, 8), at(2026, 10, 8, 18), "work_hours", 16.0),  # only 09-30 and 10-08
    (at(2026, 2, 15), at(2026, 2, 24), "work_hours", 0.0),          # inside the Spring Festival
    (at(*FRI, 10), at(*TUE, 10), "emergency_hours", 96.0),
    (at(*FRI, 10), at(*TUE, 10), "days", 4.0),
    (at(*FRI, 10), at(*FRI, 16), "days", 0.25),
])
def test_elapsed(start, end, unit, expected):
    assert CAL.elapsed(start, end, unit) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("unit", UNITS)
def test_elapsed_is_zero_when_end_is_not_later(unit):
    assert CAL.elapsed(at(*MON, 10), at(*MON, 10), unit) == 0.0
    assert CAL.elapsed(at(*TUE, 10), at(*MON, 10), unit) == 0.0


def _brute_force_work_hours(start: datetime, end: datetime) -> float:
    """Count working minutes one by one, as an independent reference."""
    minutes = 0
    moment = start.astimezone(SHANGHAI)
    while moment < end:
        in_period = any(begin <= moment.time() < finish for begin, finish in CAL.periods)
        if in_period and chinese_calendar.is_workday(moment.date()):
            minutes += 1
        moment += timedelta(minutes=1)
    return minutes / 60


@pytest.mark.parametrize(("start", "end"), [
    (at(*FRI, 9, 13), at(*TUE, 15, 47)),
    (at(2026, 2, 12, 11, 5), at(2026, 2, 25, 12, 40)),
    (at(2026, 9, 29, 17, 59), at(2026, 10, 12, 8, 1)),
])
def test_elapsed_work_hours_match_a_minute_by_minute_count(start, end):
    assert CAL.elapsed(start, end, "work_hours") == pytest.approx(_brute_force_work_hours(start, end))


# -- round trip ---------------------------------------------------------------------------------

WORKING_STARTS = [
    at(*d, h, m)
    for d in [FRI, MON, (2026, 2, 13), (2026, 2, 14), (2026, 9, 30), (2026, 10, 10), (2026, 12, 31)]
    for h, m in [(8, 0), (9, 17), (11, 59), (14, 0), (16, 30), (17, 45)]
]
ANY_STARTS = [*WORKING_STARTS, at(*SAT, 3, 33), at(2026, 10, 1, 12, 59), at(*MON, 23, 59)]
AMOUNTS = [0, 0.01, 0.25, 1, 2, 3.5, 4, 7.99, 8, 11.75, 16, 40, 123.4]


@pytest.mark.parametrize("unit", ["work_hours", "work_days"])
def test_elapsed_inverts_add_for_working_units(unit):
    for start in WORKING_STARTS:
        for amount in AMOUNTS:
            due = CAL.add(start, amount, unit)
            assert due >= start
            assert math.isclose(CAL.elapsed(start, due, unit), amount, abs_tol=1e-6), (start, amount, due)


@pytest.mark.parametrize("unit", ["emergency_hours", "days"])
def test_elapsed_inverts_add_for_natural_units(unit):
    for start in ANY_STARTS:
        for amount in AMOUNTS:
            due = CAL.add(start, amount, unit)
            assert math.isclose(CAL.elapsed(start, due, unit), amount, abs_tol=1e-6), (start, amount, due)


def test_a_start_outside_working_time_loses_the_idle_time_in_work_days():
    due = CAL.add(at(*SAT, 10), 1, "work_days")
    assert due == at(*MON, 10)
    assert CAL.elapsed(at(*SAT, 10), due, "work_days") == pytest.approx(0.25)


# -- large amounts ------------------------------------------------------------------------------


def test_large_amounts_finish_fast_and_round_trip():
    start = at(2026, 1, 5, 8)
    began = stopwatch.perf_counter()
    due = CAL.add(start, 2000, "work_hours")
    huge = CAL.add(start, 10_000, "work_hours")
    measured = CAL.elapsed(start, huge, "work_hours")
    assert stopwatch.perf_counter() - began < HANG
    assert CAL.elapsed(start, due, "work_hours") == pytest.approx(2000)
    assert measured == pytest.approx(10_000)
    assert due.time() == time(18) and CAL.is_workday(due.date())  # 250 whole working days end at 18:00
    assert huge.time() == time(18)
    workdays = sum(CAL.is_workday(start.date() + timedelta(days=n)) for n in range((huge - start).days + 1))
    assert workdays == 1250  # 10,000 / 8, counted day by day


# -- custom periods -----------------------------------------------------------------------------


def test_parse_periods_accepts_the_usual_forms():
    assert parse_periods("08:00-12:00,14:00-18:00") == ((time(8), time(12)), (time(14), time(18)))
    assert parse_periods(" 8:30 - 12:00 , 13:30-17:30 ") == ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
    assert parse_periods("09:00-17:00") == ((time(9), time(17)),)
    assert parse_periods("08:00-12:00,12:00-13:00") == ((time(8), time(12)), (time(12), time(13)))  # touching
    assert parse_periods("08:00-12:00,14:00-18:00") == WorkCalendar().periods


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("   ", "empty"),
    ("08:00", "expected HH:MM-HH:MM"),
    ("08:00-12:00-13:00", "expected HH:MM-HH:MM"),
    ("08:00-12:00,", "expected HH:MM-HH:MM"),
    ("8am-12pm", "bad time '8am'"),
    ("08-12", "bad time '08'"),
    ("08:00:00-12:00:00", "bad time"),
    ("25:00-26:00", "out of range"),
    ("08:60-09:00", "out of range"),
    ("12:00-08:00", "must end after it starts"),
    ("08:00-08:00", "must end after it starts"),
    ("14:00-18:00,08:00-12:00", "sorted"),
    ("08:00-12:00,11:00-18:00", "overlap"),
])
def test_parse_periods_rejects_bad_input(text, message):
    with pytest.raises(ValueError, match=message):
        parse_periods(text)


def test_custom_periods_change_the_arithmetic():
    cal = WorkCalendar(periods=parse_periods("09:00-17:00"))
    assert cal.hours_per_day == 8.0
    assert cal.add(at(*FRI, 16), 2, "work_hours") == at(*MON, 10)
    assert cal.add(at(*MON, 12, 30), 1, "work_hours") == at(*MON, 13, 30)  # no midday break here
    three = WorkCalendar(periods=parse_periods("08:30-12:00,13:30-17:30,19:00-21:00"))
    assert three.hours_per_day == 9.5
    assert three.add(at(*MON, 17), 1, "work_hours") == at(*MON, 19, 30)
    assert three.add(at(*MON, 8, 30), 0.5, "work_days") == at(*MON, 14, 45)  # 4.75 hours: 3.5 + 1.25
    assert three.elapsed(at(*MON, 8, 30), at(*TUE, 8, 30), "work_days") == pytest.approx(1.0)
    assert WorkCalendar().hours_per_day == 8.0


def test_calendar_validates_its_settings():
    with pytest.raises(ValueError, match="sorted"):
        WorkCalendar(periods=((time(14), time(18)), (time(8), time(12))))
    with pytest.raises(ValueError, match="end after"):
        WorkCalendar(periods=((time(12), time(8)),))
    with pytest.raises(ValueError, match="at least one"):
        WorkCalendar(periods=())
    with pytest.raises(ValueError, match="time zone"):
        WorkCalendar(timezone="Mars/Olympus_Mons")


def test_calendar_is_frozen_and_hashable():
    cal = WorkCalendar(days_off={date(*MON)}, periods=[[time(9), time(17)]])
    assert isinstance(cal.days_off, frozenset) and cal.periods == ((time(9), time(17)),)
    assert hash(cal) == hash(WorkCalendar(days_off=frozenset({date(*MON)}), periods=((time(9), time(17)),)))
    with pytest.raises(FrozenInstanceError):
        cal.timezone = "UTC"


# -- overrides in arithmetic --------------------------------------------------------------------


def test_overrides_change_deadlines():
    no_monday = WorkCalendar(days_off=frozenset({date(*MON)}))
    assert no_monday.add(at(*FRI, 17), 4, "work_hours") == at(*TUE, 11)
    assert no_monday.add(at(*FRI, 10), 1, "work_days") == at(*TUE, 10)
    assert no_monday.elapsed(at(*FRI, 18), at(*TUE, 8), "work_hours") == 0.0
    saturday_on = WorkCalendar(extra_workdays=frozenset({date(*SAT)}))
    assert saturday_on.add(at(*FRI, 17), 4, "work_hours") == at(*SAT, 11)
    assert saturday_on.add(at(*FRI, 10), 1, "work_days") == at(*SAT, 10)
    assert saturday_on.elapsed(at(*FRI, 18), at(*MON, 8), "work_hours") == 8.0


# -- time zones and validation ------------------------------------------------------------------


def test_utc_input_is_the_same_instant_as_local_input():
    utc_start = datetime(2026, 3, 6, 9, tzinfo=UTC)  # 17:00 in Shanghai
    local_start = at(*FRI, 17)
    assert utc_start == local_start
    result = CAL.add(utc_start, 4, "work_hours")
    assert result == CAL.add(local_start, 4, "work_hours") == at(*MON, 11)
    assert result.tzinfo == SHANGHAI and result.hour == 11
    assert result.utcoffset() == timedelta(hours=8)
    plus8 = datetime(2026, 3, 6, 17, tzinfo=timezone(timedelta(hours=8)))
    assert CAL.add(plus8, 2, "work_days") == at(*TUE, 17)
    assert CAL.elapsed(utc_start, at(*MON, 11), "work_hours") == pytest.approx(4.0)


@pytest.mark.parametrize("unit", UNITS)
def test_results_carry_the_calendar_time_zone(unit):
    start = datetime(2026, 3, 6, 2, tzinfo=ZoneInfo("America/New_York"))  # Friday 15:00 in Shanghai
    result = CAL.add(start, 3, unit)
    assert result.tzinfo == SHANGHAI
    assert CAL.elapsed(start, result, unit) == pytest.approx(3.0)


def test_another_time_zone_uses_wall_clock_across_daylight_saving():
    berlin = ZoneInfo("Europe/Berlin")
    cal = WorkCalendar(timezone="Europe/Berlin")  # clocks go forward on Sunday 2026-03-29
    friday = datetime(2026, 3, 27, 17, tzinfo=berlin)
    due = cal.add(friday, 4, "work_hours")
    assert due == datetime(2026, 3, 30, 11, tzinfo=berlin) and due.utcoffset() == timedelta(hours=2)
    assert cal.elapsed(friday, due, "work_hours") == pytest.approx(4.0)
    assert cal.add(friday, 1, "work_days") == datetime(2026, 3, 30, 17, tzinfo=berlin)
    assert cal.add(datetime(2026, 3, 28, 10, tzinfo=berlin), 1, "days") == datetime(2026, 3, 29, 10, tzinfo=berlin)
    assert cal.add(friday, 0, "work_hours") == friday


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 3, 6, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add(naive, 1, "work_hours")
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        CAL.elapsed(naive, at(*MON, 10), "work_hours")
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        CAL.elapsed(at(*MON, 10), naive, "days")
    with pytest.raises(ValueError, match="must be a datetime"):
        CAL.add(date(*MON), 1, "days")


@pytest.mark.parametrize("unit", ["hours", "WORK_HOURS", "", "weeks"])
def test_unknown_units_are_rejected(unit):
    with pytest.raises(ValueError, match="unknown time unit"):
        CAL.add(at(*MON, 10), 1, unit)
    with pytest.raises(ValueError, match="unknown time unit"):
        CAL.elapsed(at(*MON, 10), at(*TUE, 10), unit)


@pytest.mark.parametrize("amount", [-1, -0.001, math.nan, math.inf, "2", None, True])
def test_bad_amounts_are_rejected(amount):
    for unit in UNITS:
        with pytest.raises(ValueError, match="amount must be"):
            CAL.add(at(*MON, 10), amount, unit)
