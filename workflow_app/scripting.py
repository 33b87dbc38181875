"""Functions that BPMN scripts, conditions, timer expressions and DMN cells may call.

Python supplies mechanisms here; the models decide when to use them. Each case gets the functions
bound to its own org unit, so the locality's business calendar applies:

    due_in(4, "work_hours")            -> ISO time 4 working hours from now
    due_from(start, 2, "work_days")    -> ISO time 2 working days after ``start`` (ISO text)
    work_elapsed(start, end, "work_hours") -> how much of that unit lies between two ISO times
    now()                              -> the current time, ISO
    is_overdue(due)                    -> whether an ISO due time has passed
    catalogue(code)                    -> the filing condition as it applies here (limit, closing
                                          condition, department type, severity…)
    departments_for(duty)              -> codes of the departments with that duty in this county
    similar_cases(subcategory, address, location, days) -> ids of possible duplicates
Units: emergency_hours (continuous), work_hours, work_days, days (natural days).
"""

import functools
from datetime import datetime

from . import clock


def _parse(value) -> datetime:
    if isinstance(value, datetime):
        return clock.as_utc(value)
    try:
        return clock.as_utc(datetime.fromisoformat(str(value)))
    except ValueError as error:
        raise ValueError(f"not an ISO date-time: {value!r}") from error


def functions_for(unit) -> dict:
    """The script functions for a case in ``unit`` (an OrgUnit, a UnitRef or None)."""
    from .calendar import localities
    from .org import tree

    ref = tree.UnitRef.of(unit) if unit is not None and not isinstance(unit, tree.UnitRef) else unit

    def due_in(amount, unit_name):
        return localities.add(clock.now(), float(amount), str(unit_name), ref).isoformat()

    def due_from(start, amount, unit_name):
        return localities.add(_parse(start), float(amount), str(unit_name), ref).isoformat()

    def work_elapsed(start, end, unit_name):
        return localities.elapsed(_parse(start), _parse(end), str(unit_name), ref)

    def now():
        return clock.now().isoformat()

    def is_overdue(due):
        return bool(due) and clock.now() > _parse(due)

    def catalogue(code):
        from .catalogue import conditions

        return conditions.lookup(str(code), ref)

    def departments_for(duty):
        from .catalogue import conditions

        return conditions.departments_for(str(duty), ref)

    def similar_cases(subcategory_code, address=None, location=None, days=7):
        from .catalogue import events

        return events.similar(str(subcategory_code), ref, address, location, int(days))

    return {"due_in": due_in, "due_from": due_from, "work_elapsed": work_elapsed, "now": now, "is_overdue": is_overdue,
            "catalogue": catalogue, "departments_for": departments_for, "similar_cases": similar_cases}


PLATFORM_KEYS = {"initiator"}  # data the platform writes; never taken from people


@functools.cache
def reserved_names() -> frozenset[str]:
    """Names data may not take: sandbox builtins and guards, script functions, platform keys."""
    from .engine import RESERVED_NAMES

    return frozenset(RESERVED_NAMES) | frozenset(functions_for(None)) | PLATFORM_KEYS
