"""Firing the BPMN timers that cases wait on.

Each waiting timer's due time is indexed (``process_instance.next_timer_due``). A sweep takes
the due cases one at a time, each in its own transaction under a row lock (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so several scheduler nodes share the work without waiting on each other).
The due time is checked again under the lock and the instance's revision guards the write, so a
timer never fires twice; a node killed mid-sweep loses nothing, since the rows it held simply
stay due. A case that fails is logged, put back by a few minutes, and the sweep goes on.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import undefer

from .. import audit, clock, transactions
from ..cases import sync
from ..extensions import db
from ..models import ProcessInstance
from ..repository import instances as store

log = logging.getLogger(__name__)
BACKOFF = timedelta(minutes=5)


@dataclass
class SweepReport:
    fired: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)


def due_ids(now, limit: int) -> list[int]:
    return list(db.session.execute(
        select(ProcessInstance.id)
        .where(ProcessInstance.status == "running", ProcessInstance.next_timer_due <= now)
        .order_by(ProcessInstance.next_timer_due).limit(limit)
    ).scalars())


def fire(instance_id: int, now) -> str:
    """Fire what is due in one case: 'fired', 'skipped' (not due, or another node has it) or 'error'."""
    def action():
        instance = db.session.execute(
            select(ProcessInstance).options(undefer(ProcessInstance.state))  # a sweep rarely finds it cached
            .where(ProcessInstance.id == instance_id, ProcessInstance.status == "running",
                   ProcessInstance.next_timer_due <= now)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if instance is None:
            db.session.rollback()
            return "skipped"
        run = store.load_run(instance)
        timer_ids = {t.bpmn_id for t in run.pending_timers() if t.due_at is not None and t.due_at <= now}
        failure = run.advance()
        fired = sorted({e.bpmn_id for e in run.peek_events() if e.bpmn_id in timer_ids})
        if not fired and failure is None:
            store.keep(instance.id, instance.revision, run)  # nothing moved (a due time of exactly now)
            db.session.rollback()
            return "skipped"
        sync.apply(instance, run, failure=failure, opening={"kind": "timer_fired", "detail": {"timers": fired}})
        store.keep_after_commit(instance, run)
        db.session.commit()
        return "error" if failure else "fired"

    return transactions.run(action)


def defer(instance_id: int, now, error: Exception) -> None:
    """Put a failing case back by BACKOFF, so one broken case cannot stall every sweep."""
    db.session.rollback()
    db.session.execute(
        update(ProcessInstance).where(ProcessInstance.id == instance_id, ProcessInstance.next_timer_due <= now)
        .values(next_timer_due=now + BACKOFF), execution_options={"synchronize_session": False})
    audit.record("timer_failed", instance=db.session.get(ProcessInstance, instance_id),
                 detail={"error": f"{type(error).__name__}: {error}"[:500], "retry_at": (now + BACKOFF).isoformat()})
    db.session.commit()


def sweep(now=None, batch: int = 200, max_rounds: int = 50) -> SweepReport:
    """Fire every due timer (in rounds of ``batch`` cases) until none is due."""
    now = now or clock.now()
    report = SweepReport()
    for _ in range(max_rounds):
        ids = due_ids(now, batch)
        db.session.rollback()
        if not ids:
            break
        progressed = 0
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
            progressed += outcome != "skipped"
        if not progressed:
            break
    return report
