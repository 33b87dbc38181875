"""Running one process instance: start, complete human tasks, fire timers, retry failures."""

import contextlib
import copy
from collections import Counter
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import compaction, datamerge, events, serializer, timers
from .sandbox import ScriptLimitExceeded, script_engine
from .types import PendingTimer, ReadyTask, StepEvent, TaskFailure, Waiting

datamerge.install()

_MISSING = object()
DEFAULT_MAX_BYTES = 8_000_000


def _data_problem(data, max_bytes: int) -> str | None:
    """Why task data cannot be stored, or None."""
    try:
        if len(serializer.dump_data(data)) > max_bytes:
            return f"the data of this step would be larger than {max_bytes // 1_000_000} MB"
    except (TypeError, ValueError, RecursionError, OverflowError) as error:
        return _unstorable(error)
    return None


def _unstorable(error: Exception) -> str:
    text = str(error)
    if "Circular reference" in text or isinstance(error, RecursionError):
        return "a script stored a value that contains itself, which cannot be saved"
    return f"a script stored a value that cannot be saved ({type(error).__name__}: {text[:200]})"


class TaskNotReady(Exception):
    """The task does not exist in this instance, is not a human task, or is not READY."""


class SubmissionRefused(Exception):
    """A submission changed fields the task shows read-only (they come from the case)."""

    def __init__(self, errors: dict):
        super().__init__("read-only fields were changed")
        self.errors = errors


class _Poisoned(Exception):
    """A task that hung the engine before: it is failed instead of run (see ``ProcessRun.poison``)."""

    def __init__(self, task):
        super().__init__(task.task_spec.bpmn_id)
        self.task = task


TIME_LIMIT_MESSAGE = ("this step did not finish within the time limit: a script, condition, timer or decision "
                      "of this task runs too long or without end")


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


class ProcessRun:
    """One workflow in memory. Built by ``start`` or ``restore``; saved with ``dump``."""

    def __init__(self, workflow: BpmnWorkflow, history: dict | None = None):
        self.workflow = workflow
        self.history = Counter(history or {})  # completed counts of tasks compacted out of the tree
        self._events: list[StepEvent] = []
        # Isolation hooks: ``on_task(bpmn_id, nth)`` is told before each task runs (a deadline is
        # kept per task); ``poison`` names (bpmn_id, nth) runs to fail instead (they hung before).
        self.on_task = None
        self.poison: frozenset = frozenset()
        self.changed_keys: list[str] = []  # of the last completion: submitted keys that changed
        self.max_bytes = DEFAULT_MAX_BYTES  # what a case's stored state may grow to
        self._runs: Counter = Counter()

    def _will_run(self, task) -> None:
        bpmn_id = task.task_spec.bpmn_id
        self._runs[bpmn_id] += 1
        if (bpmn_id, self._runs[bpmn_id]) in self.poison:
            raise _Poisoned(task)
        if self.on_task is not None:
            self.on_task(bpmn_id, self._runs[bpmn_id])

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
        workflow, history = serializer.load_workflow(state_json, loaded)
        workflow.script_engine = script_engine(functions, step_limit)  # never serialised
        return cls(workflow, history)

    def dump(self) -> str:
        return serializer.dump_workflow(self.workflow, self.history)

    def dump_checked(self, max_bytes: int | None = None) -> tuple[str, TaskFailure | None]:
        """The state to store; or, when it cannot be stored (bigger than ``max_bytes``, or data
        that cannot be saved), the state with the task that holds it set back: a task already in
        error loses the data its failed script left (its error stands), any other is undone to
        before it ran and put in error with a failure that says why (a retry runs it again)."""
        max_bytes = max_bytes or self.max_bytes
        problem = self._dump_problem(max_bytes)
        if problem is None:
            return self._state, None
        holder, why = next(((t, w) for t in self._suspects() if (w := _data_problem(t.data, max_bytes))),
                           (self.workflow.last_task, problem))
        if holder is None:
            raise ScriptLimitExceeded(problem)
        failure = None
        if holder.state == TaskState.ERROR:
            holder.data = copy.deepcopy(holder.parent.data) if holder.parent is not None else {}
        else:
            failure = self._undo(holder, why)
        if (still := self._dump_problem(max_bytes)) is not None:
            raise ScriptLimitExceeded(still)
        return self._state, failure

    def _dump_problem(self, max_bytes: int) -> str | None:
        try:
            self._state = self.dump()
        except (TypeError, ValueError, RecursionError, OverflowError) as error:
            return _unstorable(error)
        if len(self._state) > max_bytes:
            return f"the case data would be larger than {max_bytes // 1_000_000} MB"
        return None

    def _suspects(self) -> list:
        """Tasks that may hold what cannot be stored: those in error, then this step's, newest first."""
        failed = [t for t in self.workflow.get_tasks(state=TaskState.ERROR)]
        done = []
        for event in reversed(self._events):
            with contextlib.suppress(TaskNotFoundException):
                done.append(self.workflow.get_task_from_id(UUID(event.task_id)))
        return failed + done

    def _settle(self) -> TaskFailure | None:
        """After the engine ran: check that every task of this step left data that can be
        stored (undo from the first that did not), then cut the finished past out of the tree."""
        culprit, problem = self._culprit(self.max_bytes)
        if culprit is not None:
            return self._undo(culprit, problem)
        self.compact()
        return None

    def _undo(self, culprit, problem: str) -> TaskFailure:
        self.workflow.reset_from_task_id(culprit.id)
        culprit._set_state(TaskState.ERROR)
        position = next((i for i, e in enumerate(self._events) if e.task_id == str(culprit.id)), len(self._events))
        self._events = self._events[:position]
        return _failure(ScriptLimitExceeded(f"{problem}; the step was undone from here"), culprit)

    def _culprit(self, max_bytes: int):
        """The first task completed in this step whose data cannot be stored, and why."""
        for event in self._events:
            try:
                task = self.workflow.get_task_from_id(UUID(event.task_id))
            except TaskNotFoundException:
                continue
            if (why := _data_problem(task.data, max_bytes)) is not None:
                return task, why
        return None, None

    def compact(self) -> None:
        """Cut the finished past out of the task tree (kept as counts for the diagram)."""
        self.history.update(compaction.compact(self.workflow))

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
        states["completed"].update(b for b, n in self.history.items() if n)
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
    def complete(self, task_id: str, data: dict, read_only: dict | None = None) -> TaskFailure | None:
        """Complete a READY human task with ``data`` and run the engine until it waits again.
        ``read_only`` are submitted values of fields the form shows read-only: each must equal
        the task's own value (SubmissionRefused otherwise) and is not taken."""
        task = self._ready_engine_task(task_id)
        changed = {key: ["read-only field: it comes from the case"]
                   for key, value in (read_only or {}).items() if task.data.get(key) != value}
        if changed:
            raise SubmissionRefused(changed)
        self.changed_keys = sorted(k for k, v in data.items() if task.data.get(k, _MISSING) != v)
        payload = copy.deepcopy(data)
        variable = getattr(task.task_spec, "variable", None)
        if variable:  # spiffworkflow:variableName: the whole submission under one key
            task.data[variable] = payload
        else:  # a submitted value replaces the stored one (the library's deep merge would keep old list items)
            task.data.update(payload)
        try:
            self._will_run(task)
            task.run()
        except _Poisoned as poisoned:
            return self._poisoned(poisoned)
        except Exception as error:  # any script error: reported, never a crash
            return _failure(error, task)
        self._note(task)
        return self.advance()

    def _poisoned(self, poisoned: _Poisoned) -> TaskFailure:
        poisoned.task._set_state(TaskState.ERROR)
        return _failure(ScriptLimitExceeded(TIME_LIMIT_MESSAGE), poisoned.task)

    def advance(self) -> TaskFailure | None:
        """Fire due timers and run every engine task until only people or timers are awaited,
        check what the step stored, and cut the finished past out of the tree."""
        try:
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps(will_complete_task=self._will_run, did_complete_task=self._note)
        except _Poisoned as poisoned:
            return self._poisoned(poisoned)
        except WorkflowTaskException as error:
            return _failure(error)
        except Exception as error:
            return _failure(error)
        return self._settle()

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

    # --- messages and signals from outside -------------------------------------------------------
    def waiting_events(self) -> list[Waiting]:
        return events.waiting(self.workflow)

    def deliver_message(self, name: str, payload: dict, correlation: dict) -> TaskFailure | None:
        """Deliver message ``name`` (its ``payload`` becomes task data) to the catching tasks whose
        correlation matches, then run the engine. Raises TaskNotReady if nothing here waits for it."""
        return self._deliver(events.message_catchers(self.workflow, name, correlation), payload)

    def deliver_signal(self, name: str, payload: dict) -> TaskFailure | None:
        return self._deliver(events.signal_catchers(self.workflow, name), payload)

    def _deliver(self, catchers, payload: dict) -> TaskFailure | None:
        if not catchers:
            raise TaskNotReady("the case is not waiting for this event")
        try:
            for task, definition in catchers:
                events.deliver(self.workflow, task, definition, copy.deepcopy(payload))
        except Exception as error:
            return _failure(error)
        return self.advance()

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
