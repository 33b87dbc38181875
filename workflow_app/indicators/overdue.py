"""Overdue stocks: cases and tasks whose due time passed while they were open.

A case or task counts into its overdue stock from the local day it fell due and out of it on the
day it was closed (or completed, or cancelled), so the stock at any day's start, and so at the end
of any period, is the sum of the deltas before it. The scans find what fell due since the last
run; a completion seen in the facts ends (or, if it was never counted, starts and ends) a task's
overdue time."""

from datetime import datetime

from sqlalchemy import and_, exists, select

from ..extensions import db
from ..models import HumanTask
from ..models.task import OPEN_SQL
from . import atoms, ledger, periods
from .ledger import COMPLETED_LATE, COMPLETED_ON_TIME, Batch, FactRow
from .tables import NO_ACTOR, CaseEntry, TaskOverdue

SCAN_LIMIT = 5000


def scan_cases(batch: Batch, now: datetime) -> int:
    """Open cases past their due time, not yet counted overdue."""
    pending = (CaseEntry.closed_at.is_(None), CaseEntry.overdue_day.is_(None), CaseEntry.due_at < now)
    rows = ledger.load_entries(and_(*pending), SCAN_LIMIT, CaseEntry.due_at)
    fresh = [e for e in batch.entries.values() if e.id is None and e.closed_at is None and e.due_at is not None
             and e.due_at < now and e.overdue_day is None]  # entered by this batch, not yet written
    for entry in rows + fresh:
        entry = batch.entries.setdefault(entry.instance_id, entry)
        if entry.closed_at is not None or entry.overdue_day is not None:
            continue
        entry.overdue_day, entry.changed = batch.day(entry.due_at), True
        batch.increments.stock(entry.overdue_day, entry.unit_id, entry.unit_path, entry.reporter_id, "c|overdue", 1)
    return len(rows)


def _mark(batch: Batch, task_id: int, unit_id: int, path: str, actor_id: int | None, atom: str,
          due_at: datetime) -> TaskOverdue:
    mark = TaskOverdue(task_id=task_id, unit_id=unit_id, unit_path=path, actor_id=actor_id or NO_ACTOR, atom=atom,
                       start_day=periods.local_day(due_at))
    db.session.add(mark)
    batch.increments.stock(mark.start_day, unit_id, path, mark.actor_id, atom, 1)
    return mark


def _end(batch: Batch, mark: TaskOverdue, at: datetime) -> None:
    mark.end_day = max(periods.local_day(at), mark.start_day)
    batch.increments.stock(mark.end_day, mark.unit_id, mark.unit_path, mark.actor_id, mark.atom, -1)


def scan_tasks(batch: Batch, now: datetime) -> int:
    """Open tasks past their due time, not yet counted overdue."""
    marked = exists().where(TaskOverdue.task_id == HumanTask.id)
    rows = db.session.execute(
        select(HumanTask.id, HumanTask.scope_unit_id, HumanTask.scope_path, HumanTask.assignee_id, HumanTask.stage,
               HumanTask.role, HumanTask.due_at)
        .where(HumanTask.state == OPEN_SQL, HumanTask.due_at.is_not(None), HumanTask.due_at < now, ~marked)
        .order_by(HumanTask.due_at).limit(SCAN_LIMIT)).all()
    for task_id, unit_id, path, assignee, stage, role, due_at in rows:
        if unit_id is not None:
            _mark(batch, task_id, unit_id, path, assignee, atoms.task_overdue(stage, role), due_at)
    return len(rows)


def scan_ended(batch: Batch, now: datetime) -> int:
    """Counted tasks that are no longer open (completed or cancelled)."""
    rows = db.session.execute(
        select(TaskOverdue, HumanTask.completed_at).join(HumanTask, HumanTask.id == TaskOverdue.task_id)
        .where(TaskOverdue.end_day.is_(None), HumanTask.state != OPEN_SQL).limit(SCAN_LIMIT)).all()
    for mark, completed_at in rows:
        if mark.end_day is None:  # not ended already by a completion in this batch (not yet written)
            _end(batch, mark, completed_at or now)
    return len(rows)


def task_facts(batch: Batch, facts: list[FactRow]) -> None:
    """Completions in the batch end their task's overdue time (counting it first if never counted)."""
    done = {f.task_id: f for f in facts if f.task_id is not None and f.kind in (COMPLETED_ON_TIME, COMPLETED_LATE)}
    if not done:
        return
    marks = {m.task_id: m for m in db.session.execute(
        select(TaskOverdue).where(TaskOverdue.task_id.in_(done))).scalars()}
    late = [tid for tid, f in done.items() if f.kind == COMPLETED_LATE and tid not in marks]
    tasks = {row.id: row for row in db.session.execute(
        select(HumanTask.id, HumanTask.scope_unit_id, HumanTask.scope_path, HumanTask.assignee_id, HumanTask.stage,
               HumanTask.role, HumanTask.due_at).where(HumanTask.id.in_(late)))} if late else {}
    for task_id, fact in done.items():
        mark = marks.get(task_id)
        if mark is None and task_id in tasks and tasks[task_id].due_at is not None:
            row = tasks[task_id]
            mark = _mark(batch, task_id, row.scope_unit_id, row.scope_path, row.assignee_id,
                         atoms.task_overdue(row.stage, row.role), row.due_at)
        if mark is not None and mark.end_day is None:
            _end(batch, mark, fact.at)
