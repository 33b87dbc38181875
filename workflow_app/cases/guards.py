"""Platform rules that may refuse work before it happens (item-entry admission, say).

A guard is registered by the app factory and asked at two moments:

- ``check_start(start)`` before a case starts: raising a ``DomainError`` refuses the start, and
  nothing is created;
- ``check_task(task)`` before a task row is created for a task the engine made ready: returning
  a ``Hold`` leaves the task without a row (nobody is handed the work) and puts the case in the
  ``blocked`` state with the hold's reason, which the pushing unit and the supervisors see.

Guards decide from the models' declarations and versioned data, never from process names.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app


@dataclass(frozen=True)
class StartCheck:
    """A case about to start."""

    process_key: str
    manifest: dict
    unit: object  # OrgUnit
    data: dict
    actor: object  # User or None (the platform's own starts)


@dataclass(frozen=True)
class TaskCheck:
    """A task the engine made ready, about to be handed to a role at a unit."""

    instance: object  # ProcessInstance
    manifest: dict
    bpmn_id: str
    name: str
    role: str | None
    scope: object  # UnitRef
    data: dict


@dataclass(frozen=True)
class Hold:
    """Why a task may not be handed out: the case waits in ``blocked``."""

    code: str
    message: str
    detail: dict = field(default_factory=dict)


@dataclass
class Guard:
    name: str
    check_start: Callable[[StartCheck], None] | None = None
    check_task: Callable[[TaskCheck], Hold | None] | None = None


class Guards:
    def __init__(self):
        self._guards: list[Guard] = []

    def register(self, guard: Guard) -> None:
        self._guards.append(guard)

    def check_start(self, start: StartCheck) -> None:
        for guard in self._guards:
            if guard.check_start is not None:
                guard.check_start(start)

    def check_task(self, task: TaskCheck) -> Hold | None:
        for guard in self._guards:
            if guard.check_task is not None and (hold := guard.check_task(task)) is not None:
                return hold
        return None


def registry() -> Guards:
    return current_app.extensions["workflow_app.guards"]
