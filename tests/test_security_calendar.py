"""Issue 10, finding 3 (calendar): the calendar API is bounded (dates, ranges, amounts answer 422 with
a clear message) and fast for long legitimate ranges: its work grows with years, not days."""

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest

from tests.support import HANG
from workflow_app.calendar import WorkCalendar, arithmetic

BEIJING = ZoneInfo("Asia/Shanghai")


def timed(call):
    began = time.perf_counter()
    response = call()
    return response, time.perf_counter() - began


@pytest.mark.parametrize("query", [
    {"start": "2026-03-02T09:00:00+08:00", "end": "4618-01-01T00:00:00+08:00", "unit": "work_hours"},
    {"start": "2026-03-02T09:00:00+08:00", "end": "9999-12-31T00:00:00+08:00", "unit": "work_days"},
    {"start": "0001-01-01T00:00:00+00:00", "end": "2026-03-02T09:00:00+08:00", "unit": "work_hours"},
    {"start": "1901-01-01T00:00:00+08:00", "end": "2199-12-01T00:00:00+08:00", "unit": "work_days"},
])
def test_elapsed_far_out_of_range_is_refused_at_once(api, query):
    response, seconds = timed(lambda: api.get("/calendar/elapsed", "resident-dc-dm", query_string=query))
    assert response.status_code == 422 and seconds < HANG
    body = response.get_json()
    assert body["errors"] and ("supported years" in body["message"] or "longer than 100 years" in body["message"])


@pytest.mark.parametrize("amount,unit", [(99_999, "work_days"), (300_000, "work_hours"), (99_999, "days"),
                                         (26_000, "work_days"), (1e308, "emergency_hours")])
def test_add_of_an_unbounded_amount_is_refused_at_once(api, amount, unit):
    query = {"start": "2026-03-02T09:00:00+08:00", "amount": amount, "unit": unit}
    response, seconds = timed(lambda: api.get("/calendar/add", "resident-dc-dm", query_string=query))
    assert response.status_code == 422 and seconds < HANG, response.get_json()
    assert api.get("/auth/whoami", "resident-dc-dm").status_code == 200


def test_long_legitimate_ranges_are_fast(api):
    query = {"start": "2026-03-02T09:00:00+08:00", "end": "2120-03-02T09:00:00+08:00", "unit": "work_hours"}
    response, seconds = timed(lambda: api.get("/calendar/elapsed", "worker-dc-dm-01", query_string=query))
    assert response.status_code == 200 and seconds < HANG
    assert response.get_json()["elapsed"] > 180_000
    query = {"start": "2026-03-02T09:00:00+08:00", "amount": 20_000, "unit": "work_days"}
    response, seconds = timed(lambda: api.get("/calendar/add", "worker-dc-dm-01", query_string=query))
    assert response.status_code == 200 and seconds < HANG and response.get_json()["due"].startswith("21")


def _naive_elapsed(cal: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """The day-by-day definition the fast arithmetic must agree with."""
    wall_start, wall_end = cal._wall(start), cal._wall(end)
    total, day = timedelta(), wall_start.date()
    while day <= wall_end.date():
        if cal.is_workday(day):
            total += cal._work_in_day(day, wall_start, wall_end)
        day += timedelta(days=1)
    return total


def _naive_add_days(cal: WorkCalendar, start: datetime, whole: int) -> date:
    day, counted = cal._wall(start).date(), 0
    while counted < whole:
        day += timedelta(days=1)
        counted += cal.is_workday(day)
    return day


def test_fast_arithmetic_agrees_with_counting_day_by_day():
    rnd = random.Random(10)
    overrides = [date(2025, 1, 1) + timedelta(days=rnd.randrange(2000)) for _ in range(60)]
    calendars = [WorkCalendar(), WorkCalendar(periods=((clock_time(9), clock_time(17)),),
                                              days_off=frozenset(overrides[:30]),
                                              extra_workdays=frozenset(overrides[20:]))]
    for cal in calendars:
        for _ in range(300):
            start = datetime(2025, 1, 1, tzinfo=BEIJING) + timedelta(minutes=rnd.randrange(60 * 24 * 1500))
            end = start + timedelta(minutes=rnd.randrange(60 * 24 * rnd.choice([3, 60, 1500])))
            hours = cal.elapsed(start, end, "work_hours")
            assert hours == _naive_elapsed(cal, start, end) / timedelta(hours=1)
            whole = rnd.randrange(0, 600)
            assert cal.add(start, whole, "work_days").date() == _naive_add_days(cal, start, whole)
            due = cal.add(start, rnd.randrange(1, 4000) / 4, "work_hours")
            assert cal.is_workday(due.date())


def test_bounds_are_plain_value_errors_in_the_arithmetic():
    cal = WorkCalendar()
    start = datetime(2026, 3, 2, 9, tzinfo=BEIJING)
    with pytest.raises(ValueError, match="too large"):
        cal.add(start, arithmetic.MAX_AMOUNT["work_days"] + 1, "work_days")
    with pytest.raises(ValueError, match="supported years"):
        cal.add(datetime(2199, 12, 1, tzinfo=BEIJING), 60, "days")
    with pytest.raises(ValueError, match="longer than"):
        cal.elapsed(start, start + timedelta(days=40_000), "days")
