"""The platform mechanisms the service-day models name in a node's ``effect`` property:

- ``service_day.day_opened`` / ``service_day.planning_opened``: this case is the unit's service
  day (planning) for ``month``: at most one per unit and month (a second is refused, 409);
- ``service_day.theme``: the planning task set the month's ``theme`` and ``projects`` for its town;
- ``service_day.due``: the households in ``visits`` are due a visit (``visit_kind``, ``month``,
  ``due_date`` or ``service_date``): what the coverage report counts as due;
- ``service_day.record_visit``: the visit to ``household`` is recorded (outcome, needs, help given,
  photos, a problem), against this case's due row;
- ``service_day.report_problem``: the problem the visit found starts an ``event_handling`` case in
  the household's grid, prefilled with its address, linked both ways;
- ``service_day.start_cadence``: after a service-day visit, the household's visit cadence is
  decided (a ``household_visit`` case in mode ``schedule``, where the cadence DMN runs);
- ``service_day.schedule_next``: the cadence decided ``next_visit``: the household's next visit
  is due then (none: only on service days).

The models decide when these run and what the rules are (DMN); these write the records."""

import logging
from datetime import date

from sqlalchemy import select

from .. import clock
from ..calendar import localities
from ..cases import service
from ..errors import Conflict, DomainError
from ..extensions import db
from ..models import Household
from ..org import tree
from . import settings
from .records import KINDS, NOTE_LIMIT, OUTCOMES, HouseholdVisit, ServiceDayCase, VisitDue

log = logging.getLogger(__name__)
EVENT_PROCESS, CADENCE_PROCESS = "event_handling", "household_visit"
MAX_VISITS = 2000


def _text(value, limit: int = NOTE_LIMIT) -> str | None:
    return str(value).strip()[:limit] if isinstance(value, str | int | float) and str(value).strip() else None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _household(data: dict) -> Household | None:
    entry = data.get("household")
    ident = entry.get("household_id") if isinstance(entry, dict) else None
    if isinstance(ident, bool) or not isinstance(ident, int):
        return None
    return db.session.get(Household, ident)


def _pending(model, **match):
    """A row of ``model`` written earlier in this unit of work (not flushed yet), else the stored one."""
    for obj in db.session.new:
        if isinstance(obj, model) and all(getattr(obj, k, None) is v or getattr(obj, k, None) == v
                                          for k, v in match.items()):
            return obj
    instance = match.pop("instance", None)
    if instance is not None:
        if instance.id is None:
            return None
        match["instance_id"] = instance.id
    with db.session.no_autoflush:
        return db.session.execute(select(model).filter_by(**match)).scalars().first()


def _local_month(unit) -> str:
    return clock.now().astimezone(localities.calendar_for(unit).tzinfo).strftime("%Y-%m")


# --- the case of a month ------------------------------------------------------------------------

def _opened(kind: str):
    def opened(work, instance, data: dict, actor) -> None:
        month = _text(data.get("month"), 7)
        if not month:
            return
        unit = tree.ref_by_id(instance.org_unit_id)
        with db.session.no_autoflush:
            taken = db.session.execute(select(ServiceDayCase.instance_id).where(
                ServiceDayCase.unit_id == unit.id, ServiceDayCase.month == month, ServiceDayCase.kind == kind)
            ).first()
        if taken is not None:
            raise Conflict(f"{unit.code} already has its {month} service day ({kind}): case {taken[0]}")
        work.add(ServiceDayCase(unit_id=unit.id, month=month, kind=kind, instance=instance,
                                service_date=_day(data.get("service_date")), created_at=clock.now()))

    return opened


def theme(work, instance, data: dict, actor) -> None:
    unit = tree.ref_by_id(instance.org_unit_id)
    settings.save_theme(unit.code, data.get("month"), data.get("theme"), data.get("projects"), actor,
                        instance=instance, authorise=False)


# --- visits --------------------------------------------------------------------------------------

def due(work, instance, data: dict, actor) -> None:
    kind = data.get("visit_kind") if data.get("visit_kind") in KINDS else KINDS[0]
    month = _text(data.get("month"), 7)
    when = _day(data.get("due_date")) or _day(data.get("service_date")) or clock.now().date()
    entries = data.get("visits") if isinstance(data.get("visits"), list) else []
    for entry in entries[:MAX_VISITS]:
        household = _household({"household": entry})
        if household is None:
            continue
        work.add(VisitDue(household_id=household.id, unit_path=household.org_unit.path,
                          month=month or when.strftime("%Y-%m"), kind=kind, due_date=when, instance=instance,
                          created_at=clock.now()))


def _photos(value) -> list[str] | None:
    items = [str(p)[:500] for p in value[:9] if isinstance(p, str)] if isinstance(value, list) else []
    return items or None


def record_visit(work, instance, data: dict, actor) -> None:
    household = _household(data)
    if household is None:
        log.error("case %s recorded a visit without a household it knows", instance.id)
        return
    now = clock.now()
    due_row = _pending(VisitDue, instance=instance, household_id=household.id)
    visit = _pending(HouseholdVisit, instance=instance, household_id=household.id) or HouseholdVisit(
        household_id=household.id, instance=instance)
    visit.unit_path, visit.visited_at, visit.visitor = household.org_unit.path, now, actor
    visit.kind = due_row.kind if due_row is not None else (data.get("visit_kind") if data.get("visit_kind") in KINDS
                                                           else KINDS[0])
    visit.month = due_row.month if due_row is not None else _local_month(household.org_unit)
    visit.outcome = data.get("outcome") if data.get("outcome") in OUTCOMES else "met"
    visit.needs, visit.help_given = _text(data.get("needs")), _text(data.get("help_given"))
    visit.photos = _photos(data.get("photos"))
    visit.problem_found = data.get("problem_found") is True
    visit.problem_description = _text(data.get("problem_description")) if visit.problem_found else None
    visit.problem_code = _text(data.get("problem_code"), 64) if visit.problem_found else None
    work.add(visit)
    if due_row is not None:
        due_row.visit = visit
    household.last_visited_at = now


def report_problem(work, instance, data: dict, actor) -> None:
    household = _household(data)
    if household is None:
        return
    visit = _pending(HouseholdVisit, instance=instance, household_id=household.id)
    description = _text(data.get("problem_description")) or "走访发现问题"
    event = {
        "condition_code": _text(data.get("problem_code"), 64), "address": household.address,
        "description": f"{description}（入户走访发现，户号 {household.code}）"[:2000],
        "photos": _photos(data.get("photos")) or [],
        "source_visit": {"household_code": household.code, "case_id": instance.id,
                         "process_key": instance.process_key},
    }

    def start_event(work) -> None:
        started = service.start_internal(EVENT_PROCESS, household.org_unit.code, event, actor)
        if visit is not None:
            visit.event_instance = started

    work.follow_up(start_event)


def start_cadence(work, instance, data: dict, actor) -> None:
    household = _household(data)
    if household is None:
        return
    start = {"mode": "schedule", "household": data.get("household"), "outcome": data.get("outcome"),
             "visited_at": clock.now().isoformat(), "visit_case": instance.id}

    def decide(work) -> None:
        try:
            service.start_internal(CADENCE_PROCESS, household.org_unit.code, start, None)
        except DomainError as error:  # no cadence process deployed here: visits come on service days
            log.warning("no visit cadence for household %s: %s", household.code, error.message)

    work.follow_up(decide)


def schedule_next(work, instance, data: dict, actor) -> None:
    household = _household(data)
    if household is None:
        return
    nxt = data.get("next_visit")
    household.next_visit_due = _day(nxt)
    cadence = data.get("cadence_days")
    latest = _latest_visit(household)
    if latest is not None:
        latest.cadence_days = int(cadence) if isinstance(cadence, int | float) and not isinstance(cadence, bool) \
            else None
        latest.next_due = household.next_visit_due


def _latest_visit(household: Household) -> HouseholdVisit | None:
    pending = [v for v in db.session.new if isinstance(v, HouseholdVisit) and v.household_id == household.id]
    if pending:
        return pending[-1]
    with db.session.no_autoflush:
        return db.session.execute(select(HouseholdVisit).where(HouseholdVisit.household_id == household.id)
                                  .order_by(HouseholdVisit.visited_at.desc()).limit(1)).scalar_one_or_none()


def register(registry) -> None:
    registry.register("service_day.day_opened", _opened("day"))
    registry.register("service_day.planning_opened", _opened("planning"))
    registry.register("service_day.theme", theme)
    registry.register("service_day.due", due)
    registry.register("service_day.record_visit", record_visit)
    registry.register("service_day.report_problem", report_problem)
    registry.register("service_day.start_cadence", start_cadence)
    registry.register("service_day.schedule_next", schedule_next)
