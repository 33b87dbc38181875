"""Acting on a task's clock: pause (挂账) and resume, extend (延期, after approval), urge (催办).

Pause stops the clock: what is left is kept in the limit's unit and the engine's waiting timer
is pushed out of reach; resume restores the remaining time from the moment of resuming. An
extension moves the due time by an amount in a calendar unit, in the engine's timer too.
"""

from datetime import timedelta

from .. import audit, clock, facts, uow
from ..calendar import limits, localities
from ..cases import rescheduling
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import HumanTask, User
from ..org import access, tree
from . import notify, wording

PAUSED = "paused"
FAR_AWAY = timedelta(days=3650)


def _task(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    if not task.is_open:
        raise Conflict(f"task {task_id} is not open (it is {task.state})")
    return task


def may_supervise(user: User, task: HumanTask) -> bool:
    return access.leads(user, task) or access.capable(user, access.SUPERVISE, path=task.scope_path)


def may_urge(user: User, task: HumanTask) -> bool:
    """催办: supervisors, and those whose roles carry ``urge`` where the task is done or where its
    case is (a town's dispatcher over the departments its case summoned)."""
    if may_supervise(user, task) or access.capable(user, access.URGE, path=task.scope_path):
        return True
    case_unit = tree.ref_by_id(task.instance.org_unit_id) if task.instance and task.instance.org_unit_id else None
    return case_unit is not None and access.capable(user, access.URGE, path=case_unit.path)


def _urger(user: User):
    """Who urged, as the people urged read it: the name and the unit where they may urge (in
    English by the unit's English name where it has one)."""
    units = access.units_with(user, access.URGE) or access.units_with(user, access.SUPERVISE)
    if not units:
        return user.name
    return wording.both(f"{user.name}（{units[0].name_zh}）", f"{user.name} ({units[0].name_en or units[0].name_zh})")


def _require_supervisor(user: User, task: HumanTask, what: str) -> None:
    if not may_supervise(user, task):
        raise Forbidden(f"{user.username} may not {what} task {task.id}")


def _unit(task: HumanTask):
    return tree.ref_by_id(task.scope_unit_id) if task.scope_unit_id else None


def _measure(task: HumanTask) -> str:
    return task.sla_unit or "emergency_hours"


def pause(task_id: int, actor: User, reason: str) -> HumanTask:
    if not (reason or "").strip():
        raise InvalidInput("a pause needs a reason", {"reason": ["required"]})

    def action(work):
        task = _task(task_id)
        _require_supervisor(actor, task, "pause")
        if task.sla_state == PAUSED:
            raise Conflict(f"task {task_id} is already paused")
        if task.due_at is None:
            raise Conflict(f"task {task_id} has no time limit to pause")
        now = clock.now()
        task.remaining = localities.elapsed(now, task.due_at, _measure(task), _unit(task))
        task.warn_remaining = (localities.elapsed(now, task.warn_at, _measure(task), _unit(task))
                               if task.warn_at else None)
        task.paused_at, task.sla_state = now, PAUSED
        task.due_at = task.warn_at = None
        rescheduling.move_task_timer(work, task, now + FAR_AWAY, actor)
        facts.record("paused", task=task, actor=actor, detail={"reason": reason.strip()})
        audit.record("sla_paused", actor=actor, task=task, detail={"reason": reason.strip(),
                                                                 "remaining": task.remaining})
        return task

    return uow.run(action)


def resume(task_id: int, actor: User) -> HumanTask:
    def action(work):
        task = _task(task_id)
        _require_supervisor(actor, task, "resume")
        if task.sla_state != PAUSED:
            raise Conflict(f"task {task_id} is not paused")
        now = clock.now()
        unit_ref, measure = _unit(task), _measure(task)
        task.due_at = localities.add(now, task.remaining or 0, measure, unit_ref)
        task.warn_at = (localities.add(now, task.warn_remaining, measure, unit_ref)
                        if task.warn_remaining is not None else None)
        paused_for = (now - task.paused_at).total_seconds() if task.paused_at else None
        task.paused_at, task.remaining, task.warn_remaining = None, None, None
        task.sla_state = limits.colour(now, task.warn_at, task.due_at)
        rescheduling.move_task_timer(work, task, task.due_at, actor)
        facts.record("resumed", task=task, actor=actor, detail={"paused_seconds": paused_for})
        audit.record("sla_resumed", actor=actor, task=task, detail={"due_at": task.due_at.isoformat()})
        return task

    return uow.run(action)


def apply_extension(work, task: HumanTask, amount: float, unit: str, actor=None, detail: dict | None = None) -> None:
    """Move ``task``'s due (and warning) time by ``amount`` of ``unit``, in the engine's timer too."""
    localities.check_unit(unit)
    if task.due_at is None:
        raise Conflict(f"task {task.id} has no time limit to extend")
    unit_ref, now = _unit(task), clock.now()
    old_due = task.due_at
    task.due_at = localities.add(task.due_at, amount, unit, unit_ref)
    if task.warn_at is not None:
        task.warn_at = localities.add(task.warn_at, amount, unit, unit_ref)
    if task.sla_unit == unit and task.sla_amount is not None:
        task.sla_amount += amount
    task.sla_state = limits.colour(now, task.warn_at, task.due_at)
    rescheduling.move_task_timer(work, task, task.due_at, actor)
    facts.record("extended", task=task, actor=actor,
                 detail={"amount": amount, "unit": unit, "from": old_due.isoformat(), **(detail or {})})
    audit.record("sla_extended", actor=actor, task=task,
                 detail={"amount": amount, "unit": unit, "due_at": task.due_at.isoformat()})


def urge(task_id: int, actor: User, message: str | None = None) -> HumanTask:
    """催办: remind whoever is doing the task (its assignee, or everyone eligible while unclaimed)."""
    def action(work):
        task = _task(task_id)
        if not may_urge(actor, task):
            raise Forbidden(f"{actor.username} may not urge task {task_id}")
        text = (message or "").strip() or wording.URGE_DEFAULT["zh"]
        by = _urger(actor)
        who = by["zh"] if isinstance(by, dict) else by
        said = wording.params("urge", step=wording.both(task.name, (task.properties or {}).get("name_en")),
                              title=wording.both(task.title, task.title_en), by=by,
                              message=(message or "").strip() or wording.URGE_DEFAULT)
        notify.send(notify.workers_of(task), notify.Message("urge", *wording.render(said, "zh"), task, params=said))
        facts.record("urged", task=task, actor=actor, detail={"message": text})
        audit.record("task_urged", actor=actor, task=task, detail={"message": text, "by": who})
        return task

    return uow.run(action)
