"""Running one process instance: start, complete human tasks, fire timers, retry failures."""

import copy
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import serializer, timers
from .sandbox import script_engine
from .types import PendingTimer, ReadyTask, TaskFailure


class TaskNotReady(Exception):
    """The task does not exist in this instance, is not a human task, or is not READY."""


def _failure(error: Exception, task=None) -> TaskFailure:
    task = getattr(error, "task", None) or task
    spec = task.task_spec if task is not None else None
    message = str(error).strip() or error.__class__.__name__
    return TaskFailure(
        task_id=str(task.id) if task is not None else None,
        bpmn_id=getattr(spec, "bpmn_id", None),
        task_name=getattr(spec, "bpmn_name", None),
        message=message,
        line=getattr(error, "line_number", None) or None,
        error_line=getattr(error, "error_line", None) or None,
    )


@dataclass(frozen=True)
class StepEvent:
    """A flow node that completed during the last action (engine-run nodes and the human task)."""

    task_id: str
    bpmn_id: str
    data: dict


class ProcessRun:
    """One workflow in memory. Built by ``start`` or ``restore``; saved with ``dump``."""

    def __init__(self, workflow: BpmnWorkflow):
        self.workflow = workflow
        self._events: list[StepEvent] = []

    def _note(self, task) -> None:
        self._events.append(StepEvent(str(task.id), task.task_spec.bpmn_id, dict(task.data)))

    def peek_events(self) -> list[StepEvent]:
        return list(self._events)

    def take_events(self) -> list[StepEvent]:
        """The nodes completed since the last call (and forget them)."""
        events, self._events = self._events, []
        return events

    # --- life cycle -------------------------------------------------------------------------
    @classmethod
    def start(cls, loaded: serializer.LoadedSpec, data: dict, functions=None, step_limit=1_000_000):
        workflow = BpmnWorkflow(
            loaded.spec, loaded.subprocess_specs, script_engine=script_engine(functions, step_limit)
        )
        workflow.task_tree.data.update(copy.deepcopy(data))
        return cls(workflow)

    @classmethod
    def restore(cls, loaded: serializer.LoadedSpec, state_json: str, functions=None, step_limit=1_000_000):
        workflow = serializer.load_workflow(state_json, loaded)
        workflow.script_engine = script_engine(functions, step_limit)  # never serialised
        return cls(workflow)

    def dump(self) -> str:
        return serializer.dump_workflow(self.workflow)

    def use_functions(self, functions, step_limit=1_000_000) -> None:
        """Re-attach the script environment (a cached run may need fresh bindings)."""
        self.workflow.script_engine = script_engine(functions, step_limit)

    # --- queries -----------------------------------------------------------------------------
    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    def ready_tasks(self) -> list[ReadyTask]:
        return [self._ready(t) for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    def _ready(self, task) -> ReadyTask:
        spec = task.task_spec
        ext = getattr(spec, "extensions", None) or {}
        info = spec.task_info(task) if hasattr(spec, "task_info") else {}
        return ReadyTask(
            id=str(task.id),
            bpmn_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            lane=spec.lane,
            process_id=task.workflow.spec.name,
            data=task.data,
            form=ext.get("formJsonSchemaFilename"),
            ui_form=ext.get("formUiSchemaFilename"),
            properties=dict(ext.get("properties") or {}),
            documentation=getattr(spec, "documentation", None),
            instructions=ext.get("instructionsForEndUser"),
            mi_index=info.get("instance") if isinstance(info, dict) else None,
        )

    def ready_task(self, task_id: str) -> ReadyTask:
        return self._ready(self._ready_engine_task(task_id))

    def pending_timers(self) -> list[PendingTimer]:
        return timers.pending_timers(self.workflow)

    def next_wakeup(self) -> datetime | None:
        dues = [t.due_at for t in self.pending_timers() if t.due_at is not None]
        return min(dues) if dues else None

    def element_states(self) -> dict[str, list[str]]:
        """BPMN element ids by state, for drawing the diagram: completed, active (a person or a
        timer is awaited), error. Subprocesses included; engine-internal specs left out."""
        states = {"completed": set(), "active": set(), "error": set()}
        for task in self.workflow.get_tasks():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            if task.state == TaskState.COMPLETED:
                states["completed"].add(bpmn_id)
            elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
                states["active"].add(bpmn_id)
            elif task.state == TaskState.ERROR:
                states["error"].add(bpmn_id)
        states["completed"] -= states["active"] | states["error"]  # a loop: show where it is now
        return {k: sorted(v) for k, v in states.items()}

    def failed_tasks(self) -> list[str]:
        return [str(t.id) for t in self.workflow.get_tasks(state=TaskState.ERROR)]

    def case_data(self) -> dict:
        """The data a person would call 'the case': the latest completed task's view of it."""
        last = self.workflow.last_task
        data = dict(last.data) if last is not None else dict(self.workflow.task_tree.data)
        if self.completed:
            data.update(self.workflow.data)
        return data

    def task_data(self, task_id: str) -> dict:
        return self._task(task_id).data

    # --- actions -----------------------------------------------------------------------------
    def complete(self, task_id: str, data: dict) -> TaskFailure | None:
        """Complete a READY human task with ``data`` and run the engine until it waits again."""
        task = self._ready_engine_task(task_id)
        payload = copy.deepcopy(data)
        if hasattr(task.task_spec, "add_data_from_form"):
            task.task_spec.add_data_from_form(task, payload)
        else:
            task.data.update(payload)
        try:
            task.run()
        except Exception as error:  # any script error: reported, never a crash
            return _failure(error, task)
        self._note(task)
        return self.advance()

    def advance(self) -> TaskFailure | None:
        """Fire due timers and run every engine task until only people or timers are awaited."""
        try:
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps(did_complete_task=self._note)
        except WorkflowTaskException as error:
            return _failure(error)
        except Exception as error:
            return _failure(error)
        return None

    def retry(self, corrections: dict | None = None) -> TaskFailure | None:
        """Re-run every task in ERROR (after applying ``corrections`` to its data), then continue."""
        for task in self.workflow.get_tasks(state=TaskState.ERROR):
            if corrections:
                task.data.update(copy.deepcopy(corrections))
            task._set_state(TaskState.READY)
            if task.task_spec.manual:
                try:
                    task.run()
                except Exception as error:
                    return _failure(error, task)
        return self.advance()

    def cancel(self) -> None:
        self.workflow.cancel()

    def fire_start_timers(self, now: datetime) -> TaskFailure | None:
        """Start a timer-started process now, firing its timer start event exactly once (the
        platform keeps the schedule; left alone, the engine would wait, or replay a cycle and never
        let the case finish). Call it on a new run, before any other step."""
        for task in self.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK, spec_class=StartEvent):
            if timers.timer_definitions(task.task_spec.event_definition):
                timers.fire_once(task, now)
        return self.advance()

    def reschedule_timer(self, task_id: str, due: datetime) -> None:
        timers.reschedule(self._task(task_id), due)

    # --- helpers -----------------------------------------------------------------------------
    def _task(self, task_id: str):
        try:
            return self.workflow.get_task_from_id(UUID(str(task_id)))
        except (TaskNotFoundException, ValueError) as error:
            raise TaskNotReady(f"no task {task_id} in this instance") from error

    def _ready_engine_task(self, task_id: str):
        task = self._task(task_id)
        if not task.task_spec.manual:
            raise TaskNotReady(f"task {task_id} is not a human task")
        if task.state != TaskState.READY:
            raise TaskNotReady(f"task {task_id} is {TaskState.get_name(task.state)}, not READY")
        return task
