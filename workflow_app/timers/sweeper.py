"""Firing the BPMN timers that cases wait on.

Each case's earliest waiting timer is indexed (``process_instance.next_timer_due``). A sweep
claims a batch of due cases for this node (a short transaction: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, then a lease on the rows), so several scheduler nodes work disjoint batches instead
of all trying the same cases. Each claimed case is then fired in its own unit of work: the
engine runs outside any write lock and the case's revision guards the write, so a timer never
fires twice. A node killed mid-sweep loses nothing: its leases run out and the cases are still
due. A case that fails is put back by a few minutes, and the sweep goes on.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import undefer

from .. import audit, clock, uow
from ..cases import service, sync
from ..extensions import db
from ..models import ProcessInstance
from ..repository import instances as store

log = logging.getLogger(__name__)
BACKOFF = timedelta(minutes=5)
DEFAULT_LEASE = 60.0  # seconds a node holds the cases it claimed (WORKFLOW_TIMER_LEASE)


@dataclass
class SweepReport:
    fired: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)


def _due(now):
    return (ProcessInstance.status == "running", ProcessInstance.next_timer_due <= now,
            or_(ProcessInstance.timer_lease_until.is_(None), ProcessInstance.timer_lease_until < now))


def _lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("TIMER_LEASE", DEFAULT_LEASE)))


def claim(now, limit: int) -> list[int]:
    """Claim up to ``limit`` due cases for this node, earliest first, for a lease."""
    def action(work):
        ids = list(db.session.execute(
            select(ProcessInstance.id).where(*_due(now)).order_by(ProcessInstance.next_timer_due)
            .limit(limit).with_for_update(skip_locked=True)
        ).scalars())
        if ids:
            db.session.execute(update(ProcessInstance).where(ProcessInstance.id.in_(ids))
                               .values(timer_lease_until=now + _lease()),
                               execution_options={"synchronize_session": False})
        return ids

    return uow.run(action)


def due_ids(now, limit: int) -> list[int]:
    """Due cases, claimed or not (for reports and tests)."""
    return list(db.session.execute(
        select(ProcessInstance.id)
        .where(ProcessInstance.status == "running", ProcessInstance.next_timer_due <= now)
        .order_by(ProcessInstance.next_timer_due).limit(limit)
    ).scalars())


def fire(instance_id: int, now) -> str:
    """Fire what is due in one case: 'fired', 'skipped' (not due any more) or 'error'."""
    def action(work):
        with work.reading():
            instance = db.session.execute(
                select(ProcessInstance).options(undefer(ProcessInstance.state))  # a sweep rarely has it cached
                .where(ProcessInstance.id == instance_id, ProcessInstance.status == "running",
                       ProcessInstance.next_timer_due <= now)
            ).scalar_one_or_none()
            if instance is None:
                return "skipped"
            outcome, worker = store.perform(instance, "advance", {"now": now.isoformat()},
                                            service.functions(instance.org_unit_id), now=now)
        instance.timer_lease_until = None
        if not outcome.fired and outcome.failure is None:
            return "skipped"  # due at exactly now: the engine fires only once it has passed
        sync.apply(work, instance, outcome, opening={"kind": "timer_fired", "detail": {"timers": outcome.fired}})
        store.remember(work, instance, outcome, worker)
        return "error" if outcome.failure else "fired"

    return uow.run(action)


def defer(instance_id: int, now, error: Exception) -> None:
    """Put a failing case back by BACKOFF, so one broken case cannot stall every sweep."""
    def action(work):
        db.session.execute(
            update(ProcessInstance).where(ProcessInstance.id == instance_id, ProcessInstance.next_timer_due <= now)
            .values(next_timer_due=now + BACKOFF, timer_lease_until=None),
            execution_options={"synchronize_session": False})
        audit.record("timer_failed", instance=db.session.get(ProcessInstance, instance_id),
                     detail={"error": f"{type(error).__name__}: {error}"[:500],
                             "retry_at": (now + BACKOFF).isoformat()})

    uow.run(action)


def sweep(now=None, batch: int = 50, max_rounds: int = 200) -> SweepReport:
    """Fire every due timer, a claimed batch at a time, until none is due for this node."""
    now = now or clock.now()
    report = SweepReport()
    for _ in range(max_rounds):
        ids = claim(now, batch)
        if not ids:
            break
        for instance_id in ids:
            try:
                outcome = fire(instance_id, now)
            except Exception as error:
                log.exception("firing timers of instance %s failed", instance_id)
                report.failed += 1
                report.errors.append((instance_id, str(error)))
                defer(instance_id, now, error)
                continue
            report.fired += outcome in ("fired", "error")
            report.skipped += outcome == "skipped"
    return report
