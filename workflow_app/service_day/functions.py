"""Script functions of the service day and visits, for the models' scripts and decisions:

    service_day_info(scheduled_for)  -> the case unit's service day that a case scheduled for that
                                        moment belongs to: {month, date, title, level (the unit's), theme, projects,
                                        theme_source, deadline, plan_due, rule}; {} without a rule
    service_day_households()         -> the households of the case's grid with a special-group flag,
                                        each {household_id, code, label, elderly_alone, hardship,
                                        disability, groups, visitor (the paired person's username)}
    service_day_team()               -> names of the people who work in the grid and its community
    visit_household(household_id)    -> one household as above, as it is now (its visitor may have
                                        changed), or None
    visit_due_by(due_date)           -> ISO time: the end of that day (a cadence visit is overdue after)
    next_visit_date(visited_at, days) -> the due date ``days`` after a visit (None for no cadence)

They run in the platform process on behalf of a sandboxed script: arguments are bounded, results
are plain values. No personal field (name, phone, ID number) is ever put into case data."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from .. import clock
from ..calendar import localities
from ..extensions import db
from ..models import Household, OrgUnit, RoleAssignment, User
from ..org import access, roles, tree
from . import schedule, settings

MAX_HOUSEHOLDS = 2000
MAX_TEAM = 50
MAX_CADENCE = 366
FLAGS = (("elderly_alone", "孤寡老人"), ("hardship", "困难家庭"), ("disability", "残障人士"))


def _moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value)[:40])
    except ValueError:
        return None
    return clock.as_utc(moment)


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def info(ref, scheduled_for=None) -> dict:
    if ref is None:
        return {}
    moment = _moment(scheduled_for) if scheduled_for else clock.now()
    day = schedule.day_for(ref, moment or clock.now())
    if day is None:
        return {}
    theme = settings.theme_for(ref, day.month)
    title = f"{day.date.year}年{day.date.month}月 · {ref.name_zh}"
    return {"month": day.month, "date": day.date.isoformat(), "title": title, "level": ref.level,
            "theme": theme.theme if theme else "", "projects": theme.projects if theme else [],
            "theme_source": theme.source if theme else None, "deadline": day.deadline.isoformat(),
            "plan_due": day.starts_at.isoformat(), "rule": day.rule.describe()}


def groups_of(household: Household) -> list[str]:
    value = household.groups
    return [g for g in value if isinstance(g, str)][:20] if isinstance(value, list) else []


def is_special(household: Household) -> bool:
    return household.elderly_alone or household.hardship or household.disability or bool(groups_of(household))


def item(household: Household) -> dict:
    """A household as a visit list carries it: flags and who visits, never personal fields."""
    visitor = household.paired_user if household.paired_user_id else None
    active = visitor is not None and visitor.active
    names = [zh for key, zh in FLAGS if getattr(household, key)] + groups_of(household)
    return {
        "household_id": household.id, "code": household.code, "label": f"{household.code}（{'、'.join(names) or '—'}）",
        "elderly_alone": bool(household.elderly_alone), "hardship": bool(household.hardship),
        "disability": bool(household.disability), "groups": groups_of(household),
        "visitor": visitor.username if active else None,
    }


def special_clause():
    return or_(Household.elderly_alone.is_(True), Household.hardship.is_(True), Household.disability.is_(True),
               Household.groups.is_not(None))


def households(ref) -> list[dict]:
    if ref is None:
        return []
    rows = db.session.execute(
        select(Household).join(Household.org_unit).where(tree.within(OrgUnit.path, ref.path), special_clause())
        .order_by(Household.code).limit(MAX_HOUSEHOLDS)).scalars()
    return [item(h) for h in rows if is_special(h)]


def household(ref, household_id) -> dict | None:
    if ref is None or isinstance(household_id, bool) or not isinstance(household_id, int):
        return None
    found = db.session.get(Household, household_id)
    if found is None or not found.org_unit.path.startswith(tree.root_of(ref).path):
        return None
    return item(found)


def team(ref) -> list[str]:
    if ref is None:
        return []
    units = [r.id for r in tree.ancestor_refs(ref) if r.level in ("grid", "community")]
    staff = [code for code in _role_codes() if not access.is_public(code)]
    names = db.session.execute(
        select(User.name).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.org_unit_id.in_(units), RoleAssignment.role_code.in_(staff), User.active.is_(True))
        .distinct().order_by(User.name).limit(MAX_TEAM)).scalars()
    return list(names)


def _role_codes() -> set[str]:
    return {ref.code for ref in roles.role_index().values()}


def deadline_of(ref, due_date) -> str | None:
    day = _day(due_date)
    if day is None:
        return None
    zone = localities.calendar_for(ref).tzinfo
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).isoformat()


def next_date(ref, visited_at, days) -> str | None:
    if isinstance(days, bool) or not isinstance(days, int | float) or not 1 <= days <= MAX_CADENCE:
        return None
    moment = _moment(visited_at) or clock.now()
    zone = localities.calendar_for(ref).tzinfo
    return (moment.astimezone(zone).date() + timedelta(days=int(days))).isoformat()


def provide(registry) -> None:
    registry.provide("service_day_info", lambda ref: lambda scheduled_for=None: info(ref, scheduled_for))
    registry.provide("service_day_households", lambda ref: lambda: households(ref))
    registry.provide("service_day_team", lambda ref: lambda: team(ref))
    registry.provide("visit_household", lambda ref: lambda household_id: household(ref, household_id))
    registry.provide("visit_due_by", lambda ref: lambda due_date: deadline_of(ref, due_date))
    registry.provide("next_visit_date", lambda ref: lambda visited_at, days: next_date(ref, visited_at, days))
