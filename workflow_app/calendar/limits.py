"""A task's limit, as the model states it, and the moments its clock turns yellow and red.

Where a limit comes from, in order:
1. an interrupting timer boundary event on the task (its due time is what the engine enforces);
2. task property ``sla`` = "4 work_hours";
3. task property ``sla_from`` naming process data that holds "4 work_hours",
   {"amount": 4, "unit": "work_hours"} (a DMN output, say) or an ISO due time.
Amount and unit, when the model gives them, measure the clock in the locality's calendar; a
limit known only by its due time runs on continuous time.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from .. import clock
from . import localities
from .arithmetic import UNITS

_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z_]+)\s*$")


@dataclass(frozen=True)
class Limit:
    amount: float | None = None
    unit: str | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None

    @property
    def known(self) -> bool:
        return self.due_at is not None


def warn_ratio() -> float:
    return float(current_app.config.get("SLA_WARN_RATIO", 0.8))


def parse(value) -> tuple[float | None, str | None, datetime | None]:
    """(amount, unit, due) from '4 work_hours', {'amount': 4, 'unit': ...} or an ISO time."""
    if isinstance(value, dict) and value.get("unit") in UNITS:
        return float(value.get("amount", 0)), value["unit"], None
    if isinstance(value, str):
        match = _TEXT.match(value)
        if match and match.group(2) in UNITS:
            return float(match.group(1)), match.group(2), None
        try:
            return None, None, clock.as_utc(datetime.fromisoformat(value))
        except ValueError:
            return None, None, None
    return None, None, None


def _declared(properties: dict, data: dict) -> tuple[float | None, str | None, datetime | None]:
    if properties.get("sla"):
        return parse(properties["sla"])
    if properties.get("sla_from"):
        return parse(data.get(properties["sla_from"]))
    return None, None, None


def for_task(properties: dict, data: dict, timer_due: datetime | None, unit_ref, start: datetime) -> Limit:
    amount, unit, declared_due = _declared(properties or {}, data or {})
    due = timer_due
    if due is None and declared_due is not None:
        due = declared_due
    if due is None and amount is not None:
        due = localities.add(start, amount, unit, unit_ref)
    if due is None:
        return Limit()
    return Limit(amount, unit, clock.as_utc(due), warn_time(start, due, amount, unit, unit_ref))


def warn_time(start: datetime, due: datetime, amount: float | None, unit: str | None, unit_ref) -> datetime:
    ratio = warn_ratio()
    if amount and unit:
        return clock.as_utc(localities.add(start, ratio * amount, unit, unit_ref))
    return start + (clock.as_utc(due) - start) * ratio


def colour(now: datetime, warn_at: datetime | None, due_at: datetime | None) -> str | None:
    if due_at is None:
        return None
    if now >= due_at:
        return "red"
    if warn_at is not None and now >= warn_at:
        return "yellow"
    return "green"


def overdue_multiple(task, now: datetime, unit_ref) -> float | None:
    """超时倍数: time used over the limit (1.0 = exactly at the limit)."""
    if task.sla_started_at is None or task.due_at is None:
        return None
    if task.sla_amount and task.sla_unit:
        used = localities.elapsed(task.sla_started_at, now, task.sla_unit, unit_ref)
        return round(used / task.sla_amount, 2)
    span = (task.due_at - task.sla_started_at).total_seconds()
    return round((now - task.sla_started_at).total_seconds() / span, 2) if span > 0 else None
