"""Mirroring engine state into rows, in the same transaction: instance status and data,
waiting timers (with due times), and the human-task table the inboxes query."""

from sqlalchemy import select

from .. import audit, clock
from ..engine import PendingTimer, ProcessRun, ReadyTask, TaskFailure
from ..extensions import db
from ..models import HumanTask, ProcessInstance
from ..models import PendingTimer as TimerRow
from ..models.task import CANCELLED, OPEN
from ..org import roles

TITLE_KEYS = ("title", "summary", "subject", "description")


def case_title(instance: ProcessInstance, data: dict) -> str:
    name = (instance.version.name if instance.version else None) or instance.process_key
    for key in TITLE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return f"{name}·{value.strip()[:80]}"
    return f"{name} #{instance.id}"


def apply(instance: ProcessInstance, run: ProcessRun, *, actor=None, failure: TaskFailure | None = None,
          opening: dict | None = None) -> None:
    """Bring ``instance`` and its rows in line with ``run`` (no commit).

    The instance row is written once; ``opening`` (audit.record keywords) is recorded first, then
    the task and status events, so the history reads in the order things happened."""
    now = clock.now()
    instance.state = run.dump()
    instance.data = run.case_data()
    instance.updated_at = now
    timers = run.pending_timers()
    status_event = _sync_status(instance, run, failure, now)
    _sync_timers(instance, timers)
    if instance.id is None:
        db.session.add(instance)
    cancelled, created = _sync_tasks(instance, run.ready_tasks(), timers)
    db.session.flush()
    if opening:
        audit.record(actor=actor, instance=instance, **opening)
    for row in cancelled:
        audit.record("task_cancelled", actor=actor, instance=instance, task=row)
    for row in created:
        audit.record("task_created", actor=actor, instance=instance, task=row,
                     detail={"role": row.role, "scope": row.scope_unit.code if row.scope_unit else None})
    if status_event:
        audit.record(status_event[0], actor=actor, instance=instance, detail=status_event[1])


def _sync_status(instance, run, failure, now) -> tuple[str, dict | None] | None:
    if failure is not None:
        instance.status = "error"
        instance.error = {**failure.as_dict(), "at": now.isoformat()}
        return "instance_error", instance.error
    if run.completed:
        instance.status, instance.ended_at, instance.error = "completed", now, None
        return "instance_completed", None
    if instance.status == "error":
        instance.status, instance.error = "running", None
    return None


def _sync_timers(instance, timers: list[PendingTimer]) -> None:
    existing = {t.engine_task_id: t for t in instance.timers}
    current = {t.task_id: t for t in timers}
    for task_id, row in existing.items():
        if task_id not in current:
            instance.timers.remove(row)
    for task_id, timer in current.items():
        row = existing.get(task_id)
        if row is None:
            row = TimerRow(engine_task_id=task_id)
            instance.timers.append(row)
        row.bpmn_id, row.name, row.kind = timer.bpmn_id, timer.name, timer.kind
        row.attached_to, row.interrupting, row.due_at = timer.attached_to, timer.interrupting, timer.due_at
    dues = [t.due_at for t in timers if t.due_at is not None]
    instance.next_timer_due = min(dues) if dues else None


def _open_rows(instance) -> list[HumanTask]:
    if instance.id is None:
        return []
    return list(db.session.execute(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == OPEN)
    ).scalars())


def _sync_tasks(instance, ready: list[ReadyTask], timers) -> tuple[list, list]:
    rows = {row.engine_task_id: row for row in _open_rows(instance)}
    ready_ids = {task.id for task in ready}
    cancelled = []
    for engine_id, row in rows.items():
        if engine_id not in ready_ids:
            row.state, row.completed_at = CANCELLED, clock.now()
            cancelled.append(row)
    new = [task for task in ready if task.id not in rows]
    created = []
    if new:
        index = roles.role_index()
        for task in new:
            row = _new_row(instance, task, timers, index)
            db.session.add(row)
            created.append(row)
    return cancelled, created


def task_due(task: ReadyTask, timers: list[PendingTimer]):
    attached = [t for t in timers if t.attached_to == task.bpmn_id and t.due_at is not None]
    interrupting = [t.due_at for t in attached if t.interrupting]
    return min(interrupting) if interrupting else None


def _new_row(instance, task: ReadyTask, timers, index) -> HumanTask:
    manifest = instance.version.manifest
    rule = roles.lane_rule(task.lane, _lane_properties(manifest, task), index)
    row = HumanTask(
        instance=instance, engine_task_id=task.id, process_key=instance.process_key,
        bpmn_id=task.bpmn_id, name=task.name, lane=task.lane, role=rule.role, state=OPEN,
        form=task.form, created_at=clock.now(), due_at=task_due(task, timers),
        title=case_title(instance, task.data), properties=task.properties or None,
    )
    if rule.for_initiator or rule.role is None:
        row.assignee_id = instance.started_by_id
        row.scope_unit = instance.org_unit
    else:
        row.scope_unit = roles.scope_unit(rule, instance.org_unit, task.data)
    row.scope_path = row.scope_unit.path
    if row.due_at is not None:
        row.sla_state = "green"
    return row


def _lane_properties(manifest: dict, task: ReadyTask) -> dict:
    lane_props = dict((manifest.get("lanes") or {}).get(task.lane) or {}) if task.lane else {}
    for key in ("role", "scope_level", "scope_from"):  # a task may override its lane
        if task.properties.get(key):
            lane_props[key] = task.properties[key]
    return lane_props
