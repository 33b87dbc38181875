"""Plain values the engine adapter hands to the rest of the platform (no SpiffWorkflow objects)."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Problem:
    """One reason a bundle was refused."""

    file: str | None
    line: int | None
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class BundleFile:
    name: str
    content: bytes
    kind: str  # bpmn, dmn, form


@dataclass
class CompiledBundle:
    key: str
    name: str | None
    spec_json: str
    manifest: dict
    files: list[BundleFile]
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ReadyTask:
    """A READY human task (user, manual or plain task) with what the platform needs of its spec."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    process_id: str
    data: dict
    form: str | None
    ui_form: str | None
    properties: dict
    documentation: str | None
    instructions: str | None
    mi_index: int | None


@dataclass(frozen=True)
class StepEvent:
    """A flow node that completed during the last action (engine-run nodes and the human task)."""

    task_id: str
    bpmn_id: str
    data: dict


@dataclass(frozen=True)
class PendingTimer:
    task_id: str
    bpmn_id: str
    name: str | None
    kind: str  # date, duration, cycle
    due_at: datetime | None
    attached_to: str | None
    interrupting: bool | None


@dataclass(frozen=True)
class TaskFailure:
    """An engine error: which task, what message, which line of its script."""

    task_id: str | None
    bpmn_id: str | None
    task_name: str | None
    message: str
    line: int | None
    error_line: str | None

    def as_dict(self) -> dict:
        return {
            "task_id": self.task_id,
            "bpmn_id": self.bpmn_id,
            "task_name": self.task_name,
            "message": self.message,
            "line": self.line,
            "error_line": self.error_line,
        }


@dataclass(frozen=True)
class Waiting:
    """An event a case waits for that someone outside can send: a message or a signal.

    ``correlation`` holds the values of the data keys the catching element names in its
    ``correlation`` property (a message is delivered to the case whose values match)."""

    kind: str  # message, signal
    name: str
    bpmn_id: str
    correlation: dict


@dataclass
class Outcome:
    """What one engine action left behind, in plain values (no engine objects)."""

    state: str
    case_data: dict
    ready: list[ReadyTask]
    timers: list[PendingTimer]
    completed: bool
    events: list
    failure: TaskFailure | None
    fired: list[str] = field(default_factory=list)  # timers that fired (an ``advance`` with ``now``)
    waiting: list[Waiting] = field(default_factory=list)
    token: str | None = None  # the engine worker's cached run of this state, if any
    changed_keys: list[str] = field(default_factory=list)  # of a completion: the keys it changed

    # The names the case sync reads (the same as a ProcessRun's; ``case_data`` is the field).
    def dump(self) -> str:
        return self.state

    def ready_tasks(self) -> list[ReadyTask]:
        return self.ready

    def pending_timers(self) -> list[PendingTimer]:
        return self.timers

    def take_events(self) -> list:
        events, self.events = self.events, []
        return events
