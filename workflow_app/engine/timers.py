"""Reading (and moving) the due times of the timers a workflow waits on.

The engine computes each timer's absolute due time once, when the timer is reached, and keeps it
in ``task.internal_data['event_value']``; here it is read back so the platform can index it.
"""

import contextlib
import contextvars
from datetime import UTC, datetime, timedelta

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState

from .types import PendingTimer

# The engine's timers read ``datetime.now(timezone.utc)`` in one module. Actions run with the
# platform's "now" (it may be far from the wall clock: tests and drills move it), so that module
# gets a datetime whose now() is the action's, whichever process runs it.
_NOW: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("engine_now", default=None)
_REAL_DATETIME = _timer_module.datetime


class _ActionDatetime(_REAL_DATETIME):
    @classmethod
    def now(cls, tz=None):
        fixed = _NOW.get()
        if fixed is None:
            return _REAL_DATETIME.now(tz)
        return fixed.astimezone(tz) if tz is not None else fixed.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ActionDatetime


@contextlib.contextmanager
def frozen_now(now: datetime | None):
    """Run an engine action at ``now`` (None: the wall clock)."""
    token = _NOW.set(_aware(now) if now is not None else None)
    try:
        yield
    finally:
        _NOW.reset(token)


_KINDS = {
    DurationTimerEventDefinition: "duration",
    TimeDateEventDefinition: "date",
    CycleTimerEventDefinition: "cycle",
}


def timer_definitions(event_definition) -> list:
    if isinstance(event_definition, TimerEventDefinition):
        return [event_definition]
    if isinstance(event_definition, MultipleEventDefinition):
        return [d for d in event_definition.event_definitions if isinstance(d, TimerEventDefinition)]
    return []


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def due_time(task) -> datetime | None:
    value = task.internal_data.get("event_value")
    if value is None or task.internal_data.get("event_fired"):
        return None
    definitions = timer_definitions(task.task_spec.event_definition)
    if not definitions:
        return None
    definition = definitions[0]
    if isinstance(definition, CycleTimerEventDefinition):
        return None if value["cycles"] == 0 else _aware(datetime.fromisoformat(value["next"]))
    if isinstance(definition, DurationTimerEventDefinition):
        return _aware(TimerEventDefinition.get_datetime(value))
    parsed = TimerEventDefinition.parse_time_or_duration(value)
    return _aware(parsed) if isinstance(parsed, datetime) else None


def _attachment(task):
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None, None
    for sibling in parent.children:
        if not isinstance(sibling.task_spec, CatchingEvent):
            return sibling.task_spec.bpmn_id, bool(getattr(task.task_spec, "cancel_activity", True))
    return None, bool(getattr(task.task_spec, "cancel_activity", True))


def pending_timers(workflow) -> list[PendingTimer]:
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent):
        definitions = timer_definitions(task.task_spec.event_definition)
        if not definitions:
            continue
        attached_to, interrupting = _attachment(task)
        found.append(PendingTimer(
            task_id=str(task.id),
            bpmn_id=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name,
            kind=_KINDS.get(type(definitions[0]), "timer"),
            due_at=due_time(task),
            attached_to=attached_to,
            interrupting=interrupting,
        ))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda t: t.due_at or far)


def fire_once(task, now: datetime) -> None:
    """Make a waiting timer due at ``now`` and, for a cycle, let it fire only this once."""
    definitions = timer_definitions(task.task_spec.event_definition)
    past = (_aware(now) - timedelta(seconds=1)).isoformat()
    if isinstance(definitions[0], CycleTimerEventDefinition):
        task.internal_data["event_value"] = {"cycles": 1, "next": past, "duration": 0}
    else:
        task.internal_data["event_value"] = past


def reschedule(task, due: datetime) -> None:
    """Move a waiting timer to ``due`` (an SLA extension, say)."""
    definitions = timer_definitions(task.task_spec.event_definition)
    if not definitions:
        raise ValueError("not a timer")
    value = _aware(due).isoformat()
    if isinstance(definitions[0], CycleTimerEventDefinition):
        task.internal_data["event_value"]["next"] = value
    else:
        task.internal_data["event_value"] = value
