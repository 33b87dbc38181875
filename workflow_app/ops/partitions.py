"""Monthly partitions of ``audit_event`` and ``case_fact`` on PostgreSQL, made ahead.

Migration 0011 partitions both tables by month on ``at`` and installs ``wf_partitions_ensure``
(SECURITY DEFINER, owned by the migrating role: the app's role needs no DDL rights). The
scheduler calls it at most once an hour per process (a job in ``create_app._tick_jobs``), for the
current month and the next ``WORKFLOW_PARTITIONS_AHEAD`` (3); a month that exists is skipped, so two
schedulers doing it at once is harmless. SQLite has no partitions: the job does nothing there.
"""

import time
from dataclasses import dataclass

from sqlalchemy import text

from .. import uow
from ..extensions import db
from . import settings

TABLES = ("audit_event", "case_fact")
EVERY = 3600.0
_LAST = {"at": None}


def supported() -> bool:
    return db.engine.dialect.name == "postgresql"


def ensure(now, months: int | None = None) -> int:
    """Make the partitions of ``now``'s month and of the ``months`` after it (default
    WORKFLOW_PARTITIONS_AHEAD); returns how many were made."""
    if not supported():
        return 0
    months = int(months if months is not None else settings.number("PARTITIONS_AHEAD")) + 1

    def action(work):
        made = 0
        for table in TABLES:
            made += db.session.execute(text("SELECT wf_partitions_ensure(:t, CAST(:d AS date), :m)"),
                                       {"t": table, "d": now.date().isoformat(), "m": months}).scalar_one()
        return made

    return uow.run(action)


def tick(now) -> int:
    """The scheduler job: ``ensure`` once an hour."""
    if not supported() or (_LAST["at"] is not None and time.monotonic() - _LAST["at"] < EVERY):
        return 0
    made = ensure(now)
    _LAST["at"] = time.monotonic()
    return made


@dataclass
class Partition:
    table: str
    name: str
    bound: str
    rows: int  # the planner's estimate


def listing() -> list[Partition]:
    """The partitions of both tables with their bounds (PostgreSQL), for the operations page."""
    if not supported():
        return []
    rows = db.session.execute(text(
        "SELECT parent.relname, child.relname, pg_get_expr(child.relpartbound, child.oid), child.reltuples "
        "FROM pg_inherits JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
        "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
        "WHERE parent.relname IN ('audit_event', 'case_fact') ORDER BY parent.relname, child.relname")).all()
    return [Partition(table, name, bound, max(0, int(estimate))) for table, name, bound, estimate in rows]
