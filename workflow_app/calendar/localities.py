"""Each locality's business calendar: the platform's settings and day overrides, refined down the
org tree (a town's days off apply to its communities and grids; the nearest setting wins)."""

from datetime import date, datetime

from sqlalchemy import select

from .. import audit, uow
from ..errors import InvalidInput
from ..extensions import db
from ..models import CalendarDay, CalendarSetting
from ..org import tree
from ..repository.caches import forget_org, org_cached
from .arithmetic import UNITS, WorkCalendar, parse_periods

PLATFORM = ""


def _chain(unit) -> list[str]:
    """Locality codes from the platform down to ``unit`` ('' first)."""
    if unit is None:
        return [PLATFORM]
    return [PLATFORM] + [ref.code for ref in tree.ancestor_refs(unit)]


def _load(chain: tuple[str, ...]) -> WorkCalendar:
    settings = {s.locality: s for s in db.session.execute(
        select(CalendarSetting).where(CalendarSetting.locality.in_(chain))).scalars()}
    days = db.session.execute(select(CalendarDay).where(CalendarDay.locality.in_(chain))).scalars().all()
    depth = {code: i for i, code in enumerate(chain)}
    nearest: dict[date, tuple[int, bool]] = {}
    for day in days:
        if day.day not in nearest or depth[day.locality] > nearest[day.day][0]:
            nearest[day.day] = (depth[day.locality], day.workday)
    setting = next((settings[c] for c in reversed(chain) if c in settings), None)
    return WorkCalendar(
        timezone=setting.timezone if setting else "Asia/Shanghai",
        periods=parse_periods(setting.periods) if setting else WorkCalendar().periods,
        days_off=frozenset(d for d, (_, work) in nearest.items() if not work),
        extra_workdays=frozenset(d for d, (_, work) in nearest.items() if work),
    )


def calendar_for(unit) -> WorkCalendar:
    """The calendar that applies in ``unit`` (an OrgUnit or UnitRef; None = the platform's)."""
    chain = tuple(_chain(unit))
    return org_cached(("calendar", chain), lambda: _load(chain))


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise InvalidInput(f"unknown time unit {unit!r}", {"unit": [f"one of {', '.join(UNITS)}"]})
    return unit


def _refused(error: ValueError, field: str) -> InvalidInput:
    return InvalidInput(f"the calendar cannot compute this: {error}", {field: [str(error)]})


def add(start: datetime, amount: float, unit: str, org_unit=None) -> datetime:
    """``amount`` of ``unit`` after ``start``; InvalidInput (422) for amounts or dates out of range."""
    calendar = calendar_for(org_unit)
    try:
        return calendar.add(start, amount, check_unit(unit))
    except ValueError as error:
        raise _refused(error, "amount" if "amount" in str(error) else "start") from error


def elapsed(start: datetime, end: datetime, unit: str, org_unit=None) -> float:
    """How much of ``unit`` lies between two moments; InvalidInput (422) for ranges out of bounds."""
    calendar = calendar_for(org_unit)
    try:
        return calendar.elapsed(start, end, check_unit(unit))
    except ValueError as error:
        raise _refused(error, "end") from error


def _locality(code: str | None) -> str:
    if not code:
        return PLATFORM
    tree.require(code, "locality")
    return code


def save_setting(locality: str | None, *, timezone: str | None, periods: str | None, actor) -> CalendarSetting:
    code = _locality(locality)
    try:
        if periods:
            parse_periods(periods)
        if timezone:
            WorkCalendar(timezone=timezone).add(datetime.fromisoformat("2026-01-05T09:00:00+08:00"), 1, "work_hours")
    except (ValueError, KeyError) as error:
        field = "timezone" if timezone and "zone" in str(error) else "periods"
        raise InvalidInput(f"invalid calendar setting: {error}", {field: [str(error)]}) from error
    setting = uow.run(lambda work: _save_setting(work, code, timezone, periods, actor))
    forget_org()
    return setting


def _save_setting(work, code: str, timezone: str | None, periods: str | None, actor) -> CalendarSetting:
    setting = db.session.execute(select(CalendarSetting).where(CalendarSetting.locality == code)).scalar_one_or_none()
    if setting is None:
        setting = CalendarSetting(locality=code)
        work.add(setting)
    setting.timezone = timezone or setting.timezone or "Asia/Shanghai"
    setting.periods = periods or setting.periods or "08:00-12:00,14:00-18:00"
    audit.record("calendar_changed", actor=actor, subject=f"calendar:{code or '*'}",
                 detail={"timezone": setting.timezone, "periods": setting.periods})
    return setting


def save_days(locality: str | None, days: list[dict], actor) -> list[CalendarDay]:
    """Set (or with ``workday: null``, remove) day overrides for a locality; all or nothing."""
    code = _locality(locality)
    saved = uow.run(lambda work: _save_days(work, code, days, actor))
    forget_org()
    return saved


def _save_days(work, code: str, days: list[dict], actor) -> list[CalendarDay]:
    existing = {d.day: d for d in db.session.execute(
        select(CalendarDay).where(CalendarDay.locality == code)).scalars()}
    saved = []
    for day, item in {item["day"]: item for item in days}.items():  # a day given twice: the last one counts
        if item.get("workday") is None:
            if day in existing:
                db.session.delete(existing[day])
            continue
        row = existing.get(day) or CalendarDay(locality=code, day=day)
        row.workday, row.name = bool(item["workday"]), item.get("name")
        work.add(row)
        saved.append(row)
    audit.record("calendar_changed", actor=actor, subject=f"calendar:{code or '*'}",
                 detail={"days": [{"day": d["day"].isoformat(), "workday": d.get("workday")} for d in days]})
    return saved


def days(locality: str | None, year: int | None = None) -> list[CalendarDay]:
    query = select(CalendarDay).where(CalendarDay.locality == _locality(locality)).order_by(CalendarDay.day)
    if year:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return list(db.session.execute(query).scalars())
