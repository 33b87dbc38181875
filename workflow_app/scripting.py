"""Functions that BPMN scripts, conditions, timer expressions and DMN cells may call.

Python supplies mechanisms here; the models decide when to use them. Each function is provided
by the package of the mechanism it belongs to and registered by the app factory
(``create_app``); each case gets them bound to its own org unit, so the locality's business
calendar applies. The platform's own:

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

Functions run in the platform process on behalf of a sandboxed script (the engine worker calls
back): their arguments are hostile input and each function bounds what it will do.
"""

from collections.abc import Callable
from datetime import datetime

from flask import current_app, has_app_context

from . import clock
from .calendar import localities
from .org import tree

MAX_AMOUNT = 3650.0  # no time limit runs longer than ten years of any unit

Factory = Callable[[object], Callable]  # factory(unit ref or None) -> the function bound to that unit


class ScriptFunctions:
    """The registry of functions models may call, by name."""

    def __init__(self):
        self._factories: dict[str, Factory] = {}
        self._reserved: frozenset[str] | None = None

    def provide(self, name: str, factory: Factory) -> None:
        if name in self._factories:
            raise ValueError(f"script function {name!r} is provided twice")
        self._factories[name] = factory
        self._reserved = None

    def names(self) -> frozenset[str]:
        return frozenset(self._factories)

    def bound(self, ref) -> dict:
        return {name: factory(ref) for name, factory in self._factories.items()}

    def reserved(self) -> frozenset[str]:
        if self._reserved is None:
            from .engine import RESERVED_NAMES

            self._reserved = frozenset(RESERVED_NAMES) | self.names() | PLATFORM_KEYS
        return self._reserved


def _parse(value) -> datetime:
    if isinstance(value, datetime):
        return clock.as_utc(value)
    try:
        return clock.as_utc(datetime.fromisoformat(str(value)))
    except ValueError as error:
        raise ValueError(f"not an ISO date-time: {value!r}") from error


def _amount(value) -> float:
    amount = float(value)
    if not abs(amount) <= MAX_AMOUNT:  # also refuses NaN
        raise ValueError(f"an amount of time must be at most {MAX_AMOUNT:g}, not {value!r}")
    return amount


def provide_calendar(registry: ScriptFunctions) -> None:
    """Calendar arithmetic on the case locality's business calendar."""
    registry.provide("due_in", lambda ref: lambda amount, unit_name: localities.add(
        clock.now(), _amount(amount), str(unit_name), ref).isoformat())
    registry.provide("due_from", lambda ref: lambda start, amount, unit_name: localities.add(
        _parse(start), _amount(amount), str(unit_name), ref).isoformat())
    registry.provide("work_elapsed", lambda ref: lambda start, end, unit_name: localities.elapsed(
        _parse(start), _parse(end), str(unit_name), ref))
    registry.provide("now", lambda ref: lambda: clock.now().isoformat())
    registry.provide("is_overdue", lambda ref: lambda due: bool(due) and clock.now() > _parse(due))


def _default_registry() -> ScriptFunctions:
    from .catalogue import functions as catalogue_functions
    from .org import functions as org_functions

    registry = ScriptFunctions()
    provide_calendar(registry)
    catalogue_functions.provide(registry)
    org_functions.provide(registry)
    return registry


_FALLBACK: list[ScriptFunctions] = []


def registry() -> ScriptFunctions:
    if has_app_context():
        return current_app.extensions["workflow_app.script_functions"]
    if not _FALLBACK:  # outside an app (a tool, a test of the engine): the platform's own
        _FALLBACK.append(_default_registry())
    return _FALLBACK[0]


def functions_for(unit) -> dict:
    """The script functions for a case in ``unit`` (an OrgUnit, a UnitRef or None)."""
    ref = tree.UnitRef.of(unit) if unit is not None and not isinstance(unit, tree.UnitRef) else unit
    return registry().bound(ref)


PLATFORM_KEYS = {"initiator"}  # data the platform writes; never taken from people


def reserved_names() -> frozenset[str]:
    """Names data may not take: sandbox builtins and guards, script functions, platform keys."""
    return registry().reserved()
