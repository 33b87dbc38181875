"""Mirroring an engine outcome into rows, in the action's transaction: the case row (state,
data, status), its waiting timers (with due times), what it waits for from outside (messages,
signals), and the human-task table the inboxes query.

Everything is written in one flush at commit: the case row once, task rows, then the audit
events (``opening`` first, then task and status events) in the order things happened."""

from sqlalchemy import select

from .. import audit, clock
from ..calendar import limits
from ..engine import Outcome, PendingTimer, ReadyTask
from ..extensions import db
from ..models import HumanTask, ProcessInstance
from ..models import PendingTimer as TimerRow
from ..models.task import CANCELLED, OPEN
from ..org import people, roles, tree
from ..repository import instances as store
from . import effects, guards, subscriptions

TITLE_KEYS = ("title", "summary", "subject", "description")


def case_title(instance: ProcessInstance, data: dict) -> str:
    name = store.version_name(instance)
    for key in TITLE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return f"{name}·{value.strip()[:80]}"
    return f"{name} #{instance.id}" if instance.id is not None else name  # a task born with its case: no id yet


def case_title_en(instance: ProcessInstance, data: dict) -> str | None:
    """The case title in English, as the model words it: the process's ``name_en`` and the data's
    ``title_en`` (set by the model beside ``title``), each part the Chinese where the model gives
    no English; None where it gives none at all (the Chinese title is the title)."""
    name_en = (store.manifest(instance).get("process_properties") or {}).get("name_en")
    own = data.get("title_en")
    own = own.strip()[:80] if isinstance(own, str) and own.strip() else None
    if not name_en and not own:
        return None
    shown = case_title(instance, data)
    name = store.version_name(instance)
    if own:
        return f"{name_en or name}·{own}"
    return (name_en or name) + shown.removeprefix(name)


def apply(work, instance: ProcessInstance, outcome: Outcome, *, actor=None, opening: dict | None = None,
          open_rows: list[HumanTask] | None = None) -> None:
    """Bring ``instance`` and its rows in line with ``outcome`` (no commit). ``open_rows`` are the
    case's open task rows when the caller already has them."""
    now = clock.now()
    with db.session.no_autoflush:  # one write of the case row, at the end (not one per lazy load)
        _sync_timers(instance, outcome.timers)
        if instance.id is None:
            db.session.add(instance)
        rows = open_rows if open_rows is not None else _open_rows(instance)
        cancelled, created, holds = _sync_tasks(instance, rows, outcome.ready, outcome.timers)
        status_event = _sync_status(instance, outcome, now, holds)
        subscriptions.sync(instance, outcome.waiting)
        instance.state, instance.data, instance.updated_at = outcome.state, outcome.case_data, now
    if opening:
        audit.record(actor=actor, instance=instance, **opening)
    for row in cancelled:
        audit.record("task_cancelled", actor=actor, instance=instance, task=row)
    for row, scope in created:
        audit.record("task_created", actor=actor, instance=instance, task=row,
                     detail={"role": row.role, "scope": scope.code})
    # what the completed nodes ask for (a milestone, a fact) happened before the case ended or failed
    effects.apply(work, instance, outcome.take_events(), actor, opened=[row for row, _ in created])
    if status_event:
        audit.record(status_event[0], actor=actor, instance=instance, detail=status_event[1])


def _sync_status(instance, outcome: Outcome, now, holds: list) -> tuple[str, dict | None] | None:
    failure = outcome.failure
    if failure is not None:
        instance.status = "error"
        instance.error = {**failure.as_dict(), "at": now.isoformat()}
        return "instance_error", instance.error
    if outcome.completed:
        instance.status, instance.ended_at, instance.error = "completed", now, None
        return "instance_completed", None
    if holds:
        bpmn_id, hold = holds[0]
        instance.status = "blocked"
        instance.error = {"code": hold.code, "message": hold.message, "bpmn_id": bpmn_id, "detail": hold.detail,
                          "at": now.isoformat()}
        return "instance_blocked", instance.error
    if instance.status in ("error", "blocked"):
        instance.status, instance.error = "running", None
    return None


def _sync_timers(instance, timers: list[PendingTimer]) -> None:
    """The case's waiting timers and its earliest due time (what the sweeper indexes)."""
    timers = sorted((t for t in timers if t.due_at is not None), key=lambda t: t.due_at)  # finished cycles never fire
    items = [TimerRow(t.task_id, t.bpmn_id, t.name, t.kind, t.attached_to, t.interrupting, t.due_at).as_item()
             for t in timers]
    if items != (instance.pending_timers or []):
        instance.pending_timers = items or None
    due = timers[0].due_at if timers else None
    if instance.next_timer_due != due:
        instance.next_timer_due = due


def _open_rows(instance) -> list[HumanTask]:
    if instance.id is None:
        return []
    return list(db.session.execute(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == OPEN)
    ).scalars())


def _sync_tasks(instance, open_rows, ready: list[ReadyTask], timers) -> tuple[list, list, list]:
    rows = {row.engine_task_id: row for row in open_rows if row.state == OPEN}
    ready_ids = {task.id for task in ready}
    cancelled = []
    for engine_id, row in rows.items():
        if engine_id not in ready_ids:
            row.state, row.completed_at = CANCELLED, clock.now()
            cancelled.append(row)
    new = [task for task in ready if task.id not in rows]
    created, holds = [], []
    if new:
        index, checks = roles.role_index(), guards.registry()
        for task in new:
            row, scope = _new_row(instance, task, timers, index)
            hold = checks.check_task(guards.TaskCheck(instance, store.manifest(instance), task.bpmn_id, task.name,
                                                      row.role, scope, task.data))
            if hold is not None:
                holds.append((task.bpmn_id, hold))
                continue
            db.session.add(row)
            created.append((row, scope))
    return cancelled, created, holds


def task_due(task: ReadyTask, timers: list[PendingTimer]):
    attached = [t for t in timers if t.attached_to == task.bpmn_id and t.due_at is not None]
    interrupting = [t.due_at for t in attached if t.interrupting]
    return min(interrupting) if interrupting else None


def _new_row(instance, task: ReadyTask, timers, index) -> tuple[HumanTask, "tree.UnitRef"]:
    manifest = store.manifest(instance)
    lane_props = _lane_properties(manifest, task)
    rule = roles.with_data(roles.lane_rule(task.lane, lane_props, index), task.data, index)
    now = clock.now()
    row = HumanTask(
        instance=instance, engine_task_id=task.id, process_key=instance.process_key,
        bpmn_id=task.bpmn_id, name=task.name, stage=(task.properties or {}).get("stage") or task.name,
        lane=task.lane, role=rule.role, state=OPEN,
        form=task.form, created_at=now, title=case_title(instance, task.data),
        title_en=case_title_en(instance, task.data), properties=task.properties or None,
    )
    case_unit = tree.ref_by_id(instance.org_unit_id)
    if rule.for_initiator or rule.role is None:
        row.assignee_id = instance.started_by_id
        scope = case_unit
    else:
        scope = roles.scope_unit(rule, case_unit, task.data)
    row.scope_unit_id, row.scope_path = scope.id, scope.path
    assignee = assignee_from(lane_props.get("assignee_from"), task.data)
    if assignee is not None:  # handed to that person, still scoped where the lane says (boards, leaders)
        row.assignee_id, row.claimed_at = assignee.id, now
    limit = limits.for_task(task.properties, task.data, task_due(task, timers), case_unit, now)
    if limit.known:
        row.due_at, row.warn_at, row.sla_amount, row.sla_unit = limit.due_at, limit.warn_at, limit.amount, limit.unit
        row.sla_started_at, row.sla_state = now, limits.colour(now, limit.warn_at, limit.due_at)
    return row, scope


def _lane_properties(manifest: dict, task: ReadyTask) -> dict:
    lane_props = dict((manifest.get("lanes") or {}).get(task.lane) or {}) if task.lane else {}
    for key in ("role", "role_from", "scope_level", "scope_from", "assignee_from"):  # a task may override its lane
        if task.properties.get(key):
            lane_props[key] = task.properties[key]
    return lane_props


def assignee_from(key: str | None, data: dict):
    """The active user a task goes to straight away, named in its data by the lane or task property
    ``assignee_from`` (a data key, or a dotted path into it: ``household.visitor``), as a username
    or an object with ``username``. None (no such key, value or active user): the lane's role
    takes it as usual."""
    if not key:
        return None
    value = data
    for part in str(key).split(".")[:8]:
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict):
        value = value.get("username")
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        return None
    user = people.by_username(value)
    return user if user is not None and user.active else None
