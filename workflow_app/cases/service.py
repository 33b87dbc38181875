"""Starting cases and completing their tasks: one unit of work each, retried on races.

Each action loads what it needs and lets the engine act (in ``work.reading()``: no write lock is
held while designer-authored code runs), then writes the case row, its task rows, facts and audit
in one transaction.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from .. import audit, clock, facts, scripting, taskforms, uow
from ..engine import TaskNotReady
from ..engine.isolation import SubmissionRefused
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import HumanTask, ProcessInstance, User
from ..models.task import COMPLETED, OPEN
from ..org import access, roles, tree
from ..org import functions as org_functions
from ..repository import definitions
from ..repository import instances as store
from . import data as case_data
from . import guards, rounds, sync


@dataclass
class Completion:
    task: HumanTask
    instance: ProcessInstance


def authorise_start(actor: User, manifest: dict, unit, data: dict) -> None:
    """Forbidden unless ``actor`` may start a case of this process in ``unit``."""
    start = manifest.get("start") or {}
    lane = (manifest.get("lanes") or {}).get(start.get("lane")) or {}
    rule = roles.lane_rule(start.get("lane"), lane)
    if access.capable(actor, access.ADMINISTER, unit):
        return
    if rule.role and not rule.for_initiator:
        scope = roles.scope_unit(rule, unit, data)
        if not access.holds(actor, rule.role, scope):
            raise Forbidden(f"starting this process in {unit.code} needs role {rule.role} there")
    elif not access.covers(actor, unit):
        raise Forbidden(f"{actor.username} holds no role at {unit.code}")
    elif roles.staff_starts(lane) and not access.works_in(actor, unit):  # lane property starters=staff
        raise Forbidden(f"starting this process in {unit.code} needs a staff role there")


def _start_data(manifest: dict, data: dict) -> dict:
    form_name = (manifest.get("start") or {}).get("form")
    document = (manifest.get("forms") or {}).get(form_name) if form_name else None
    return taskforms.validate(document, data, {}) if document else data


def functions(unit, actor: User | None = None) -> dict:
    """The script functions of a case in ``unit`` (an OrgUnit, a UnitRef or an id); with ``actor``,
    ``acting_person()`` answers who runs the step (a report can say who made it)."""
    ref = tree.ref_by_id(unit) if isinstance(unit, int) else unit
    bound = scripting.functions_for(ref)
    if actor is not None and "acting_person" in bound:
        person = org_functions.acting(actor)
        bound["acting_person"] = lambda: dict(person)
    return bound


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
    return uow.run(lambda work: _start(work, version, unit, data, actor))


def start_internal(process_key: str, org_unit: str, data: dict | None, actor: User | None = None,
                   scheduled: bool = False) -> ProcessInstance:
    """Start a case on the platform's own initiative (a schedule, an extension request): the
    caller has authorised it. ``scheduled`` fires the process's timer start event now. Inside a
    running unit of work it joins it."""
    unit = tree.require(org_unit)
    version = definitions.resolve(process_key, unit)
    data = case_data.check(data or {})
    return uow.run(lambda work: _start(work, version, unit, data, actor, scheduled))


def initiator(actor: User | None) -> dict:
    """Who started the case, as the model may read it (``initiator["roles"]``…)."""
    if actor is None:
        return {"username": "system", "name": "系统", "roles": []}
    return {"username": actor.username, "name": actor.name, "roles": sorted(actor.roles())}


@dataclass
class PreparedStart:
    """A new case the engine has run to its first wait, not yet written."""

    version: object
    unit: object
    data: dict
    actor: User | None
    outcome: object
    worker: int | None


def prepare_start(version, unit, data: dict, actor: User | None, scheduled: bool = False) -> PreparedStart:
    """Run a new case of ``version`` to its first wait (call it in ``work.reading()``)."""
    guards.registry().check_start(guards.StartCheck(version.key, store.manifest(version), unit, data, actor))
    now = clock.now()
    data = {**data, "initiator": initiator(actor)}
    outcome, worker = store.start(version, data, functions(unit), now.isoformat() if scheduled else None)
    return PreparedStart(version, unit, data, actor, outcome, worker)


def write_start(work, prepared: PreparedStart) -> ProcessInstance:
    version, actor, now = prepared.version, prepared.actor, clock.now()
    instance = ProcessInstance(
        process_key=version.key, version_id=version.id, org_unit_id=prepared.unit.id, status="running", state="",
        data={}, started_by_id=actor.id if actor else None, started_at=now, updated_at=now,
    )
    opening = {"kind": "instance_started", "changed_keys": sorted(k for k in prepared.data if k != "initiator"),
               "detail": {"version": version.version, "locality": version.locality or None}}
    sync.apply(work, instance, prepared.outcome, actor=actor, opening=opening, open_rows=[])
    store.remember(work, instance, prepared.outcome, prepared.worker)
    return instance


def _start(work, version, unit, data, actor, scheduled=False) -> ProcessInstance:
    with work.reading():
        prepared = prepare_start(version, unit, data, actor, scheduled)
    return write_start(work, prepared)


def complete(task_id: int, data: dict | None, actor: User) -> Completion:
    """Complete an open task as ``actor`` (claiming it if unclaimed) and advance the case."""
    return uow.run(lambda work: _complete(work, task_id, data or {}, actor))


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
    may_see = task.is_open or access.can_see_task(actor, task)
    if not access.can_act(actor, task) and (task.is_open or not may_see):
        raise Forbidden(f"{actor.username} may not act on task {task_id} ({task.name})")
    if not task.is_open:
        raise Conflict(f"task {task_id} is not open (it is {task.state})")
    if instance.status != "running":
        raise Conflict(f"the case is {instance.status}; its tasks cannot be completed now")
    return task, instance, open_rows


def _complete(work, task_id: int, data: dict, actor: User) -> Completion:
    with work.reading():
        task, instance, open_rows = _open_task(task_id, actor)
        accepted, read_only = _submission(instance, task, data)
        args = {"task_id": task.engine_task_id, "data": accepted, "read_only": read_only}
        try:
            outcome, worker = store.perform(instance, "complete", args, functions(instance.org_unit_id, actor))
        except TaskNotReady as error:
            raise Conflict(f"task {task_id} is no longer open: {error}") from error
        except SubmissionRefused as refused:
            raise InvalidInput("the form has errors", refused.errors) from refused
    now = clock.now()
    if task.assignee_id is None:
        task.assignee_id, task.claimed_at = actor.id, now
    task.state, task.completed_at, task.completed_by_id = COMPLETED, now, actor.id
    rounds.keep(task, _form_document(instance, task), rounds.seen_in(outcome, task, instance), accepted)
    audit.record("task_completed", actor=actor, instance=instance, task=task, changed_keys=outcome.changed_keys)
    if task.due_at is not None:
        facts.record("completed_on_time" if now <= task.due_at else "completed_late", task=task, actor=actor,
                     detail={"due_at": task.due_at.isoformat()}, instance=instance)
    sync.apply(work, instance, outcome, actor=actor, open_rows=open_rows)
    store.remember(work, instance, outcome, worker)
    return Completion(task, instance)


def _form_document(instance, task: HumanTask) -> dict | None:
    return (store.manifest(instance).get("forms") or {}).get(task.form) if task.form else None


def _submission(instance, task: HumanTask, data: dict) -> tuple[dict, dict]:
    """The accepted data of a submission, and the values it gave read-only fields (the engine
    checks those against the task's own)."""
    data = case_data.check(data)
    document = _form_document(instance, task)
    if not document:
        return data, {}
    properties = document.get("properties") or {}
    read_only = {k for k, spec in properties.items() if isinstance(spec, dict) and spec.get("readOnly")}
    given = {k: v for k, v in data.items() if k in read_only}
    rest = {k: v for k, v in data.items() if k not in read_only}
    return taskforms.validate(document, rest, {}), given
