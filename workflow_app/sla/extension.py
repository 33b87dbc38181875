"""延期: an extension is requested by whoever does the task and approved in a BPMN process of its
own (``sla_extension`` in processes/), by the task role's leader at the task's unit. The model's
approval end event carries ``effect = sla.extend``; that is when the due time moves."""

from flask import current_app

from .. import facts, uow
from ..calendar import localities
from ..cases import service
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import HumanTask, ProcessInstance, User
from ..org import access, roles
from . import control


def request(task_id: int, actor: User, amount: float, unit: str, reason: str) -> ProcessInstance:
    return uow.run(lambda work: _request(work, task_id, actor, amount, unit, reason))


def _request(work, task_id: int, actor: User, amount: float, unit: str, reason: str) -> ProcessInstance:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    if not access.can_act(actor, task):
        raise Forbidden(f"{actor.username} may not ask to extend task {task_id}")
    if not task.is_open or task.due_at is None:
        raise Conflict(f"task {task_id} is not open with a time limit")
    localities.check_unit(unit)
    if not amount or amount <= 0 or not (reason or "").strip():
        raise InvalidInput("an extension needs a positive amount and a reason",
                           {"amount": ["must be positive"]} if not amount or amount <= 0 else {"reason": ["required"]})
    ref = roles.role_index().get((task.role or "").lower())
    data = {
        "task_id": task.id, "task_name": task.name, "case_id": task.instance_id, "case_title": task.title or "",
        "amount": amount, "unit": unit, "reason": reason.strip(), "requested_by": actor.username,
        "requester": _requester(actor, task), "title": f"{task.title or task.name}（#{task.instance_id}）",
        "approver_role": (ref.leader_role if ref and ref.leader_role else _fallback_approver()),
        "approver_scope": task.scope_unit.code if task.scope_unit else None, "current_due": task.due_at.isoformat(),
    }
    key = current_app.config.get("SLA_EXTENSION_PROCESS", "sla_extension")
    instance = service.start_internal(key, task.instance.org_unit.code, data, actor)
    work.flush()  # the approval case's id, for the fact
    facts.record("extension_requested", task=task, actor=actor, detail={"amount": amount, "unit": unit,
                                                                       "approval_case": instance.id})
    return instance


def _requester(actor: User, task: HumanTask) -> str:
    """Who asks, as the approver reads it: the name and the unit they act for on this task."""
    units = [a.org_unit for a in actor.assignments if not access.is_public(a.role_code)]
    near = [u for u in units if task.scope_path and task.scope_path.startswith(u.path)] or units
    return f"{actor.name} · {near[0].name_zh}" if near else actor.name


def _fallback_approver() -> str:
    """Who approves extensions for a role that has no leader: a role carrying approve_fallback."""
    carriers = sorted(roles.with_capability("approve_fallback"))
    if not carriers:
        raise Conflict("no role may approve extensions here (give one the approve_fallback capability)")
    return carriers[0]


def extend(work, instance: ProcessInstance, data: dict, actor) -> None:
    """The ``sla.extend`` effect of an approved request: move the requesting task's clock (a
    task of another case, so it runs as a follow-up after the approval case is written)."""
    task_id, amount, unit = int(data["task_id"]), float(data["amount"]), str(data["unit"])

    def follow_up(work):
        task = db.session.get(HumanTask, task_id)
        if task is None or not task.is_open or task.due_at is None:
            return  # the task finished while the request was pending: nothing to move
        control.apply_extension(work, task, amount, unit, actor, detail={"approval_case": instance.id})

    work.follow_up(follow_up)
