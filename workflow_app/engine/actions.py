"""The engine's actions on one case, and what each leaves behind (an ``Outcome``).

The same code runs in an engine worker process (isolation.py, the default) and in-process
(``ENGINE_ISOLATION=off``): restore or start the run, act, check that the data can be stored,
compact the finished past, and describe the result in plain values.
"""

from datetime import datetime

from . import serializer
from .runtime import ProcessRun, SubmissionRefused, TaskNotReady
from .types import Outcome

KINDS = ("start", "complete", "advance", "retry", "reschedule", "cancel", "message", "signal")


def _due_timer_ids(run: ProcessRun, now: datetime | None) -> set[str]:
    if now is None:
        return set()
    return {t.bpmn_id for t in run.pending_timers() if t.due_at is not None and t.due_at <= now}


def act(run: ProcessRun, kind: str, args: dict):
    """Perform ``kind`` on ``run``; returns the failure, if any (raises TaskNotReady)."""
    if kind == "start":
        at = args.get("scheduled_at")
        failure = run.fire_start_timers(datetime.fromisoformat(at)) if at else run.advance()
        message = args.get("message")
        if failure is None and message:  # started at a message start event: deliver it now
            failure = run.deliver_message(message["name"], message.get("payload") or {}, {})
        return failure
    if kind == "complete":
        return run.complete(args["task_id"], args["data"], args.get("read_only"))
    if kind == "advance":
        return run.advance()
    if kind == "retry":
        return run.retry(args.get("corrections") or {})
    if kind == "reschedule":
        run.reschedule_timer(args["task_id"], datetime.fromisoformat(args["due"]))
        return None
    if kind == "cancel":
        run.cancel()
        return None
    if kind == "message":
        return run.deliver_message(args["name"], args.get("payload") or {}, args.get("correlation") or {})
    if kind == "signal":
        return run.deliver_signal(args["name"], args.get("payload") or {})
    raise ValueError(f"unknown engine action {kind!r}")


def perform(run: ProcessRun, kind: str, args: dict, max_bytes: int) -> Outcome:
    """Act on ``run`` and describe the result. Raises ``TaskNotReady`` when the action no longer
    applies (nothing was changed then)."""
    now = args.get("now")
    due = _due_timer_ids(run, datetime.fromisoformat(now)) if now else set()
    run.max_bytes = max_bytes
    failure = act(run, kind, args)
    state, unstorable = run.dump_checked(max_bytes)
    failure = unstorable or failure
    events = run.take_events()
    return Outcome(
        state=state,
        case_data=run.case_data(),
        ready=run.ready_tasks(),
        timers=run.pending_timers(),
        completed=run.completed,
        events=events,
        failure=failure,
        fired=sorted({e.bpmn_id for e in events if e.bpmn_id in due}),
        waiting=run.waiting_events(),
        changed_keys=list(run.changed_keys),
    )


def new_run(loaded: serializer.LoadedSpec, data: dict, functions, step_limit: int) -> ProcessRun:
    return ProcessRun.start(loaded, data, functions, step_limit)


__all__ = ["KINDS", "SubmissionRefused", "TaskNotReady", "act", "new_run", "perform"]
