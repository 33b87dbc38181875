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
