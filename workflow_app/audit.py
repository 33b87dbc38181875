"""The append-only audit trail: every state change writes one event here (no commit)."""

from sqlalchemy import select

from . import clock
from .extensions import db
from .models import AuditEvent


def record(kind: str, *, actor=None, instance=None, task=None, subject: str | None = None,
           changed_keys: list[str] | None = None, detail: dict | None = None) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        kind=kind,
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None) if actor is not None else "system",
        instance_id=getattr(instance, "id", None) if instance is not None else getattr(task, "instance_id", None),
        human_task_id=getattr(task, "id", None),
        engine_task_id=getattr(task, "engine_task_id", None),
        task_name=getattr(task, "name", None),
        subject=subject,
        changed_keys=changed_keys,
        detail=detail,
    )
    db.session.add(event)
    return event


_MISSING = object()


def changed_keys(before: dict, after: dict) -> list[str]:
    """Top-level keys added, removed or given a different value."""
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k, _MISSING) != after.get(k, _MISSING))


def for_instance(instance_id: int) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
    ).scalars())
