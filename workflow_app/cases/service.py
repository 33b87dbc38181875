"""Starting cases and completing their tasks. Each call is one transaction, retried on races."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from .. import audit, clock, taskforms, transactions
from ..engine import TaskNotReady
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import HumanTask, ProcessInstance, User
from ..models.task import COMPLETED, OPEN
from ..org import access, roles, tree
from ..repository import definitions
from ..repository import instances as store
from ..sla import facts
from . import data as case_data
from . import sync


@dataclass
class Completion:
    task: HumanTask
    instance: ProcessInstance


def authorise_start(actor: User, manifest: dict, unit, data: dict) -> None:
    """Forbidden unless ``actor`` may start a case of this process in ``unit``."""
    start = manifest.get("start") or {}
    rule = roles.lane_rule(start.get("lane"), (manifest.get("lanes") or {}).get(start.get("lane")))
    if access.holds(actor, access.ADMIN, unit):
        return
    if rule.role and not rule.for_initiator:
        scope = roles.scope_unit(rule, unit, data)
        if not access.holds(actor, rule.role, scope):
            raise Forbidden(f"starting this process in {unit.code} needs role {rule.role} there")
    elif not access.covers(actor, unit):
        raise Forbidden(f"{actor.username} holds no role at {unit.code}")


def _start_data(manifest: dict, data: dict) -> dict:
    form_name = (manifest.get("start") or {}).get("form")
    document = (manifest.get("forms") or {}).get(form_name) if form_name else None
    return taskforms.validate(document, data, {}) if document else data


def start(process_key: str, org_unit: str, data: dict | None, actor: User) -> ProcessInstance:
    """Start ``process_key`` for a case in ``org_unit``, on the version that applies there."""
    unit = tree.require(org_unit)
    try:
        version = definitions.resolve(process_key, unit)
    except NotFound as missing:
        raise InvalidInput(missing.message, {"process_key": [missing.message]}) from missing
    data = case_data.check(data or {})
    manifest = store.manifest(version)
    authorise_start(actor, manifest, unit, data)
    data = _start_data(manifest, data)
    return transactions.run(lambda: _start(version, unit, data, actor))


def start_internal(process_key: str, org_unit: str, data: dict | None, actor: User | None = None,
                   scheduled: bool = False, commit: bool = True) -> ProcessInstance:
    """Start a case on the platform's own initiative (a schedule, an extension request): the
    caller has authorised it. ``scheduled`` fires the process's timer start event now."""
    unit = tree.require(org_unit)
    version = definitions.resolve(process_key, unit)
    data = case_data.check(data or {})
    if not commit:
        return _start(version, unit, data, actor, scheduled, commit=False)
    return transactions.run(lambda: _start(version, unit, data, actor, scheduled))


def initiator(actor: User | None) -> dict:
    """Who started the case, as the model may read it (``initiator["roles"]``…)."""
    if actor is None:
        return {"username": "system", "name": "系统", "roles": []}
    return {"username": actor.username, "name": actor.name, "roles": sorted(actor.roles())}


def _start(version, unit, data, actor, scheduled=False, commit=True) -> ProcessInstance:
    now = clock.now()
    data = {**data, "initiator": initiator(actor)}
    run = store.new_run(version, unit, data)
    failure = run.fire_start_timers(now) if scheduled else run.advance()
    instance = ProcessInstance(
        process_key=version.key, version=version, org_unit=unit, status="running", state="",
        data={}, started_by_id=actor.id if actor else None, started_at=now, updated_at=now,
    )
    opening = {"kind": "instance_started", "changed_keys": sorted(k for k in data if k != "initiator"),
               "detail": {"version": version.version, "locality": version.locality or None}}
    sync.apply(instance, run, actor=actor, failure=failure, opening=opening, open_rows=[])
    store.keep_after_commit(instance, run)
    if commit:
        db.session.commit()
    return instance


def complete(task_id: int, data: dict | None, actor: User) -> Completion:
    """Complete an open task as ``actor`` (claiming it if unclaimed) and advance the case."""
    return transactions.run(lambda: _complete(task_id, data or {}, actor))


def _task_and_open_rows(task_id: int) -> tuple[HumanTask | None, list[HumanTask]]:
    """The task, with its case, and the case's open tasks: one round trip."""
    case = select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
    rows = db.session.execute(
        select(HumanTask).options(joinedload(HumanTask.instance))
        .where(HumanTask.instance_id == case, or_(HumanTask.state == OPEN, HumanTask.id == task_id))
    ).unique().scalars().all()
    task = next((row for row in rows if row.id == task_id), None)
    return task, [row for row in rows if row.state == OPEN]


def _open_task(task_id: int, actor: User) -> tuple[HumanTask, ProcessInstance, list[HumanTask]]:
    task, open_rows = _task_and_open_rows(task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    instance = task.instance
    # A closed task answers 409 to those who could see it, 403 to everyone else.
    may_see = task.is_open or access.can_view_instance(actor, instance, [task.scope_path])
    if not access.can_act(actor, task) and (task.is_open or not may_see):
        raise Forbidden(f"{actor.username} may not act on task {task_id} ({task.name})")
    if not task.is_open:
        raise Conflict(f"task {task_id} is not open (it is {task.state})")
    if instance.status != "running":
        raise Conflict(f"the case is {instance.status}; its tasks cannot be completed now")
    return task, instance, open_rows


def _complete(task_id: int, data: dict, actor: User) -> Completion:
    task, instance, open_rows = _open_task(task_id, actor)
    run = store.load_run(instance)
    before = run.case_data()
    try:
        accepted = _submission(instance, task, data, run.task_data(task.engine_task_id))
        failure = run.complete(task.engine_task_id, accepted)
    except TaskNotReady as error:
        raise Conflict(f"task {task_id} is no longer open: {error}") from error
    except InvalidInput:
        store.keep(instance.id, instance.revision, run)  # untouched: keep it warm
        raise
    now = clock.now()
    if task.assignee_id is None:
        task.assignee, task.claimed_at = actor, now
    task.state, task.completed_at, task.completed_by_id = COMPLETED, now, actor.id
    audit.record("task_completed", actor=actor, instance=instance, task=task,
                 changed_keys=audit.changed_keys(before, {**before, **accepted}))
    if task.due_at is not None:
        facts.record("completed_on_time" if now <= task.due_at else "completed_late", task=task, actor=actor,
                     detail={"due_at": task.due_at.isoformat()})
    sync.apply(instance, run, actor=actor, failure=failure, open_rows=open_rows)
    store.keep_after_commit(instance, run)
    db.session.commit()
    return Completion(task, instance)


def _submission(instance, task: HumanTask, data: dict, current: dict) -> dict:
    data = case_data.check(data)
    if not task.form:
        return data
    document = (store.manifest(instance.version).get("forms") or {}).get(task.form)
    return taskforms.validate(document, data, current) if document else data
