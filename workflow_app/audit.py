"""The append-only audit trail: every state change records one event here.

Events are collected during a transaction and written together, in one multi-row INSERT, just
before it commits (after the last flush, so new instances and tasks have their ids). A rolled-back
transaction leaves no events behind.
"""

from sqlalchemy import event, insert, select

from . import clock
from .extensions import db
from .models import AuditEvent

_PENDING = "workflow_app.audit_pending"


def record(kind: str, *, actor=None, instance=None, task=None, subject: str | None = None,
           changed_keys: list[str] | None = None, detail: dict | None = None) -> None:
    """Queue one event for the current transaction."""
    if instance is None and task is not None:
        instance = task.instance
    db.session.info.setdefault(_PENDING, []).append({
        "at": clock.now(),
        "kind": kind,
        "actor_id": getattr(actor, "id", None),
        "actor": getattr(actor, "username", None) if actor is not None else "system",
        "instance": instance,
        "task": task,
        "subject": subject,
        "changed_keys": changed_keys,
        "detail": detail,
    })


def _row(pending: dict) -> dict:
    instance, task = pending.pop("instance"), pending.pop("task")
    return {
        **pending,
        "instance_id": getattr(instance, "id", None),
        "human_task_id": getattr(task, "id", None),
        "engine_task_id": getattr(task, "engine_task_id", None),
        "task_name": getattr(task, "name", None),
    }


def _write_pending(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # ids for new instances and tasks
    session.execute(insert(AuditEvent.__table__), [_row(p) for p in pending])


def _drop_pending(session, *_args) -> None:
    session.info.pop(_PENDING, None)


def install(session_class) -> None:
    """Hook the writer into every session of ``session_class`` (called once, from the app factory)."""
    if not event.contains(session_class, "before_commit", _write_pending):
        event.listen(session_class, "before_commit", _write_pending)
        event.listen(session_class, "after_soft_rollback", _drop_pending)


_MISSING = object()


def changed_keys(before: dict, after: dict) -> list[str]:
    """Top-level keys added, removed or given a different value."""
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k, _MISSING) != after.get(k, _MISSING))


def for_instance(instance_id: int) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
    ).scalars())
