"""Rolling the facts stream up, incrementally and safely on several nodes.

A batch claims the stream's cursor (``FOR UPDATE``: one node at a time; the scheduler's job
skips a cursor another node holds), reads the facts after it, adds their increments, scans for
what fell due since, and moves the cursor, all in one transaction. On PostgreSQL an id below
the newest read may still belong to a transaction in flight: such ids are kept as gaps and read
again until they appear or ``GAP_SECONDS`` pass (a rolled-back insert never does). Readers
catch up before they read, so figures include what was just recorded.

When the ledger rules of the platform-wide definitions change, the ledger and rollups are
rebuilt from the first fact (frozen months keep their snapshots: the rebuild adds no
adjustments to them)."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import clock, uow
from ..extensions import db
from ..models import CaseFact, HumanTask
from ..models.task import OPEN_SQL
from . import document as doc
from . import freezing, ledger, overdue, rollups, verdicts, versions
from .tables import CaseEntry, Cursor, Rollup, StockDelta, TaskOverdue

NAME = "facts"
BATCH = 5000
GAP_SECONDS = 300
MAX_GAPS = 10_000
READ_BUDGET = 5.0  # seconds a read spends rolling up first (a backlog is left to the scheduler's job)


@dataclass
class Progress:
    facts: int = 0
    derived: int = 0
    scanned: int = 0
    claimed: bool = True

    @property
    def more(self) -> bool:
        return self.claimed and (self.facts > 0 or self.derived > 0 or self.scanned >= overdue.SCAN_LIMIT)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _claim(wait: bool) -> Cursor | None:
    query = select(Cursor).where(Cursor.name == NAME)
    if _postgres():
        query = query.with_for_update(skip_locked=not wait)
    cursor = db.session.execute(query).scalar_one_or_none()
    if cursor is None:
        insert = (postgresql.insert if _postgres() else sqlite.insert)(Cursor.__table__)
        db.session.execute(insert.values(name=NAME, last_id=0).on_conflict_do_nothing(index_elements=["name"]))
        cursor = db.session.execute(query).scalar_one_or_none()
    return cursor


def _reset(cursor: Cursor) -> int:
    """Empty the ledger and rollups for a rebuild; returns the newest fact id (rebuilt quietly)."""
    for table in (Rollup, StockDelta, TaskOverdue, CaseEntry):
        db.session.execute(delete(table))
    cursor.last_id = 0
    return db.session.scalar(select(func.max(CaseFact.id))) or 0


def _advance(last_id: int, facts: list[ledger.FactRow], gaps: dict, now: datetime) -> tuple[int, dict]:
    """The new cursor and the ids still missing below it (PostgreSQL only)."""
    seen = {f.id for f in facts}
    gaps = {k: v for k, v in gaps.items() if int(k) not in seen
            and datetime.fromisoformat(v) > now - timedelta(seconds=GAP_SECONDS)}
    newer = sorted(i for i in seen if i > last_id)
    if not newer:
        return last_id, gaps
    if _postgres():
        expected, stamp = last_id + 1, now.isoformat()
        for fact_id in newer:
            for missing in range(expected, min(fact_id, expected + MAX_GAPS)):
                gaps[str(missing)] = stamp
            expected = fact_id + 1
        if len(gaps) > MAX_GAPS:
            gaps = dict(sorted(gaps.items(), key=lambda kv: int(kv[0]))[-MAX_GAPS:])
    return newer[-1], gaps


def _batch(limit: int, wait: bool) -> Progress:
    now = clock.now()
    cursor = _claim(wait)
    if cursor is None:
        return Progress(claimed=False)
    document = versions.ledger_document()
    state = dict(cursor.gaps or {})
    digest = doc.rules_digest(document)
    if cursor.rules != digest:
        if cursor.rules is not None:
            state = {"quiet_until": _reset(cursor)}
        cursor.rules = digest
    facts = ledger.fetch(cursor.last_id, limit, [int(i) for i in state.get("ids", {})])
    last_id, gaps = _advance(cursor.last_id, facts, state.get("ids", {}), now)
    batch = ledger.Batch(doc.ledger_rules(document))
    with db.session.no_autoflush:  # one flush at the end, not one per lookup
        batch.load_entries(facts)
        batch.open_cases(facts)
        for fact in facts:
            batch.add_fact(fact)
        overdue.task_facts(batch, facts)
        progress = Progress(facts=len(facts), derived=verdicts.derive(document.get("verdicts") or [], facts))
        progress.scanned = max(overdue.scan_cases(batch, now), overdue.scan_tasks(batch, now),
                               overdue.scan_ended(batch, now))
    batch.save()
    if last_id > state.get("quiet_until", 0):
        freezing.late_adjustments(batch.increments, facts, now)
    rollups.write(batch.increments)
    cursor.last_id, cursor.updated_at = last_id, now
    cursor.gaps = {**({"quiet_until": state["quiet_until"]} if "quiet_until" in state else {}), "ids": gaps}
    return progress


def process_batch(limit: int = BATCH, wait: bool = True) -> Progress:
    return uow.run(lambda work: _batch(limit, wait))


def pending(now: datetime | None = None) -> bool:
    """Whether anything waits to be rolled up (cheap reads; no lock)."""
    now = now or clock.now()
    cursor = db.session.get(Cursor, NAME)
    if cursor is None or (cursor.gaps or {}).get("ids"):
        return True
    if versions.rules_changed(cursor):
        return True
    checks = (
        select(CaseFact.id).where(CaseFact.id > cursor.last_id).limit(1),
        select(CaseEntry.id).where(CaseEntry.closed_at.is_(None), CaseEntry.overdue_day.is_(None),
                                   CaseEntry.due_at < now).limit(1),
        select(HumanTask.id).where(HumanTask.state == OPEN_SQL, HumanTask.due_at.is_not(None), HumanTask.due_at < now,
                                   ~exists().where(TaskOverdue.task_id == HumanTask.id)).limit(1),
        select(TaskOverdue.task_id).join(HumanTask, HumanTask.id == TaskOverdue.task_id)
        .where(TaskOverdue.end_day.is_(None), HumanTask.state != OPEN_SQL).limit(1),
    )
    return any(db.session.scalar(check) is not None for check in checks)


def catch_up(max_seconds: float = 60.0, wait: bool = True, limit: int = BATCH) -> Progress:
    """Roll up everything recorded so far (bounded in time); returns the totals."""
    total = Progress()
    if not pending():
        return total
    began = time.monotonic()
    while True:
        step = process_batch(limit, wait)
        total.facts, total.derived = total.facts + step.facts, total.derived + step.derived
        total.scanned += step.scanned
        if not step.claimed:
            total.claimed = False
            return total
        if not step.more or time.monotonic() - began > max_seconds:
            return total
