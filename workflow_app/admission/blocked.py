"""Cases blocked because their item is not admitted where their next task would go.

The pushing department and the supervisors see them; an administrator or the department may
end them (terminate) or route them back. Routing back completes each held task as the model
says in the task's ``admission_route_back`` property (a JSON object of data, e.g.
``{"result": "not_admitted"}``), so the case takes the path the model drew back to the
department; a model without it can only be terminated."""

import json

from sqlalchemy import select

from .. import audit, clock, uow
from ..cases import service, sync
from ..engine import TaskNotReady
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import HumanTask, OrgUnit, ProcessInstance, User
from ..models.task import CANCELLED, OPEN
from ..org import access, tree
from ..repository import instances as store
from .enforcement import CODE

ROUTE_BACK = "admission_route_back"
MAX_LISTED = 500
MAX_HELD = 200


def _hold(instance: ProcessInstance) -> dict:
    error = instance.error or {}
    return error if error.get("code") == CODE else {}


def _department(instance: ProcessInstance) -> str | None:
    return (_hold(instance).get("detail") or {}).get("department")


def may_see(actor: User, instance: ProcessInstance) -> bool:
    department = _department(instance)
    if department and any(a.org_unit.code == department for a in actor.assignments):
        return True
    units = [instance.org_unit.path] + [ref.path for code in (_hold(instance).get("detail") or {}).get("units") or []
                                        if (ref := tree.ref_by_code(code)) is not None]
    return any(access.capable(actor, access.OVERSEE, path=path) for path in units)


def may_release(actor: User, instance: ProcessInstance) -> bool:
    if access.capable(actor, access.ADMINISTER, instance.org_unit):
        return True
    department = _department(instance)
    return bool(department) and any(a.org_unit.code == department and a.role_code in (
        "department_staff", "department_head") for a in actor.assignments)


def view(instance: ProcessInstance) -> dict:
    hold = _hold(instance)
    detail = hold.get("detail") or {}
    return {"id": instance.id, "process_key": instance.process_key, "name": store.version_name(instance),
            "title": sync.case_title(instance, instance.data or {}), "org_unit": instance.org_unit.code,
            "status": instance.status, "item_code": detail.get("item_code"), "problem": detail.get("problem"),
            "units": detail.get("units") or [], "department": detail.get("department"), "task": detail.get("task"),
            "message": hold.get("message"), "message_zh": detail.get("message_zh"), "blocked_at": hold.get("at"),
            "started_at": instance.started_at}


def listing(actor: User, org_unit: str | None = None) -> list[dict]:
    query = select(ProcessInstance).where(ProcessInstance.status == "blocked").order_by(ProcessInstance.id.desc())
    if org_unit:
        unit = tree.require(org_unit)
        query = query.join(OrgUnit, OrgUnit.id == ProcessInstance.org_unit_id).where(tree.subtree(unit))
    found = []
    for instance in db.session.execute(query.limit(MAX_LISTED)).scalars():
        if _hold(instance) and may_see(actor, instance):
            found.append(view(instance))
    return found


def _blocked(instance_id: int, actor: User) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or not (may_see(actor, instance) or may_release(actor, instance)):
        raise NotFound(f"no instance {instance_id}")
    if not may_release(actor, instance):
        raise Forbidden(f"{actor.username} may not end or route back case {instance_id}")
    if instance.status != "blocked" or not _hold(instance):
        raise Conflict(f"case {instance_id} is {instance.status}, not blocked for admission")
    return instance


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text or len(text) > 2000 or "\x00" in text:
        raise InvalidInput("a reason is required (at most 2000 characters)", {"reason": ["required"]})
    return text


def terminate(instance_id: int, actor: User, reason: str | None) -> ProcessInstance:
    """End a blocked case (the department or an administrator), with a reason."""
    reason = _reason(reason)

    def action(work):
        with work.reading():
            instance = _blocked(instance_id, actor)
            outcome, _ = store.perform(instance, "cancel", {}, {})
        now = clock.now()
        for task in db.session.query(HumanTask).filter_by(instance_id=instance.id, state=OPEN):
            task.state, task.completed_at = CANCELLED, now
            audit.record("task_cancelled", actor=actor, instance=instance, task=task)
        instance.state, instance.status, instance.ended_at, instance.updated_at = outcome.state, "terminated", now, now
        instance.next_timer_due, instance.pending_timers, instance.waiting = None, None, None
        instance.subscriptions.clear()
        audit.record("instance_terminated", actor=actor, instance=instance,
                     detail={"reason": reason, "hold": _hold(instance).get("detail")})
        return instance

    return uow.run(action)


def _held(instance: ProcessInstance) -> list:
    """Ready tasks of the engine that have no task row: those the guard holds."""
    rows = {engine_id for (engine_id,) in db.session.execute(select(HumanTask.engine_task_id).where(
        HumanTask.instance_id == instance.id, HumanTask.state == OPEN))}
    return [task for task in store.read_run(instance).ready_tasks() if task.id not in rows]


def _route_data(task, reason: str) -> dict:
    try:
        data = json.loads((task.properties or {}).get(ROUTE_BACK) or "")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Conflict(f"task {task.name} cannot be routed back: its model says nowhere to "
                       f"(property {ROUTE_BACK}); terminate the case instead")
    return {**data, "route_back_reason": reason}


def route_back(instance_id: int, actor: User, reason: str | None) -> ProcessInstance:
    """Send every held task of a blocked case back the way its model says."""
    reason = _reason(reason)
    instance = uow.run(lambda work: _route_one(work, instance_id, actor, reason, first=True))
    for _ in range(MAX_HELD):
        if instance.status != "blocked":
            break
        instance = uow.run(lambda work: _route_one(work, instance_id, actor, reason, first=False))
    return instance


def _route_one(work, instance_id: int, actor: User, reason: str, first: bool) -> ProcessInstance:
    with work.reading():
        instance = _blocked(instance_id, actor) if first else db.session.get(ProcessInstance, instance_id)
        held = _held(instance) if instance.status == "blocked" else []
        if not held:
            return instance
        task = held[0]
        data = _route_data(task, reason)
        try:
            outcome, worker = store.perform(instance, "complete", {"task_id": task.id, "data": data, "read_only": {}},
                                            service.functions(instance.org_unit_id))
        except TaskNotReady as error:
            raise Conflict(f"case {instance_id} changed meanwhile: {error}") from error
    audit.record("admission_routed_back", actor=actor, instance=instance, changed_keys=sorted(data),
                 detail={"task": task.name, "bpmn_id": task.bpmn_id, "reason": reason})
    sync.apply(work, instance, outcome, actor=actor)
    store.remember(work, instance, outcome, worker)
    return instance
