"""Administrators' actions on a case: retry after an engine error, suspend, resume, terminate."""

from .. import audit, clock, uow
from ..engine import TaskNotReady
from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import ProcessInstance, User
from ..models.task import CANCELLED, OPEN, HumanTask
from ..org import access
from ..repository import instances as store
from . import data as case_data
from . import service, sync


def _instance(instance_id: int, actor: User) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    access.require_admin(actor, instance.org_unit)
    return instance


def retry(instance_id: int, actor: User, corrections: dict | None = None) -> ProcessInstance:
    corrections = case_data.check(corrections or {})

    def action(work):
        with work.reading():
            instance = _instance(instance_id, actor)
            if instance.status not in ("error", "blocked"):
                raise Conflict(f"instance {instance_id} is {instance.status}, not in error or blocked")
            outcome, worker = store.perform(instance, "retry", {"corrections": corrections},
                                            service.functions(instance.org_unit_id))
        audit.record("instance_retried", actor=actor, instance=instance, changed_keys=sorted(corrections),
                     detail={"previous": instance.error})
        sync.apply(work, instance, outcome, actor=actor)
        store.remember(work, instance, outcome, worker)
        return instance

    return uow.run(action)


def _set_status(instance_id: int, actor: User, allowed: tuple, status: str, kind: str) -> ProcessInstance:
    def action(work):
        instance = _instance(instance_id, actor)
        if instance.status not in allowed:
            raise Conflict(f"instance {instance_id} is {instance.status}; cannot {kind.split('_')[1]} it")
        instance.status, instance.updated_at = status, clock.now()
        audit.record(kind, actor=actor, instance=instance)
        return instance

    return uow.run(action)


def suspend(instance_id: int, actor: User) -> ProcessInstance:
    return _set_status(instance_id, actor, ("running", "error", "blocked"), "suspended", "instance_suspended")


def resume(instance_id: int, actor: User) -> ProcessInstance:
    def action(work):
        instance = _instance(instance_id, actor)
        if instance.status != "suspended":
            raise Conflict(f"instance {instance_id} is {instance.status}, not suspended")
        instance.status = "error" if instance.error else "running"
        instance.updated_at = clock.now()
        audit.record("instance_resumed", actor=actor, instance=instance)
        return instance

    return uow.run(action)


def terminate(instance_id: int, actor: User, reason: str | None = None) -> ProcessInstance:
    def action(work):
        with work.reading():
            instance = _instance(instance_id, actor)
            if instance.status in ("completed", "terminated"):
                raise Conflict(f"instance {instance_id} is already {instance.status}")
            try:
                outcome, _ = store.perform(instance, "cancel", {}, {})
            except TaskNotReady as error:
                raise Conflict(str(error)) from error
        now = clock.now()
        for task in db.session.query(HumanTask).filter_by(instance_id=instance.id, state=OPEN):
            task.state, task.completed_at = CANCELLED, now
            audit.record("task_cancelled", actor=actor, instance=instance, task=task)
        instance.state, instance.status, instance.ended_at, instance.updated_at = outcome.state, "terminated", now, now
        instance.next_timer_due, instance.pending_timers = None, None
        instance.subscriptions.clear()
        instance.waiting = None
        audit.record("instance_terminated", actor=actor, instance=instance, detail={"reason": reason})
        return instance

    return uow.run(action)
