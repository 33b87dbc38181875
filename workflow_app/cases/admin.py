"""Administrators' actions on a case: retry after an engine error, suspend, resume, terminate."""

from .. import audit, clock, transactions
from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import ProcessInstance, User
from ..models.task import CANCELLED, OPEN, HumanTask
from ..org import access
from ..repository import instances as store
from . import data as case_data
from . import sync


def _instance(instance_id: int, actor: User) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    access.require_admin(actor, instance.org_unit)
    return instance


def _commit(instance, run=None) -> ProcessInstance:
    if run is not None:
        store.keep_after_commit(instance, run)
    db.session.commit()
    return instance


def retry(instance_id: int, actor: User, corrections: dict | None = None) -> ProcessInstance:
    corrections = case_data.check(corrections or {})

    def action():
        instance = _instance(instance_id, actor)
        if instance.status != "error":
            raise Conflict(f"instance {instance_id} is {instance.status}, not in error")
        run = store.load_run(instance)
        failure = run.retry(corrections)
        audit.record("instance_retried", actor=actor, instance=instance, changed_keys=sorted(corrections),
                     detail={"previous": instance.error})
        sync.apply(instance, run, actor=actor, failure=failure)
        return _commit(instance, run)

    return transactions.run(action)


def _set_status(instance_id: int, actor: User, allowed: tuple, status: str, kind: str) -> ProcessInstance:
    def action():
        instance = _instance(instance_id, actor)
        if instance.status not in allowed:
            raise Conflict(f"instance {instance_id} is {instance.status}; cannot {kind.split('_')[1]} it")
        instance.status, instance.updated_at = status, clock.now()
        audit.record(kind, actor=actor, instance=instance)
        return _commit(instance)

    return transactions.run(action)


def suspend(instance_id: int, actor: User) -> ProcessInstance:
    return _set_status(instance_id, actor, ("running", "error"), "suspended", "instance_suspended")


def resume(instance_id: int, actor: User) -> ProcessInstance:
    def action():
        instance = _instance(instance_id, actor)
        if instance.status != "suspended":
            raise Conflict(f"instance {instance_id} is {instance.status}, not suspended")
        instance.status = "error" if instance.error else "running"
        instance.updated_at = clock.now()
        audit.record("instance_resumed", actor=actor, instance=instance)
        return _commit(instance)

    return transactions.run(action)


def terminate(instance_id: int, actor: User, reason: str | None = None) -> ProcessInstance:
    def action():
        instance = _instance(instance_id, actor)
        if instance.status in ("completed", "terminated"):
            raise Conflict(f"instance {instance_id} is already {instance.status}")
        run = store.load_run(instance)
        run.cancel()
        now = clock.now()
        for task in db.session.query(HumanTask).filter_by(instance_id=instance.id, state=OPEN):
            task.state, task.completed_at = CANCELLED, now
            audit.record("task_cancelled", actor=actor, instance=instance, task=task)
        instance.state, instance.status, instance.ended_at, instance.updated_at = run.dump(), "terminated", now, now
        instance.next_timer_due = None
        instance.timers.clear()
        audit.record("instance_terminated", actor=actor, instance=instance, detail={"reason": reason})
        return _commit(instance)

    return transactions.run(action)
