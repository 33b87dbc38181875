"""Retention: the engine state of cases completed long ago is compacted (``flask retention``).

A case that ended more than ``older_than`` ago keeps its row, data, tasks, audit trail, facts and
files; its stored engine state is reduced by ``engine.retention.retire`` to what the case page
still reads (the diagram's completed marks as counts, the data it started and ended with). Each
case is one unit of work (its revision bumps, so no node keeps acting on a cached run of it) and
gets a ``retained_case`` row; a run is resumable and idempotent (retained cases are not picked
again). One audit event records each run. Terminated cases are left alone (their engine state
still shows where they stopped).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import undefer

from .. import audit, clock, uow
from ..engine.retention import NotRetirable, retire
from ..errors import InvalidInput
from ..extensions import db
from ..models import ProcessInstance, RetainedCase
from ..repository import instances as store

_AGE = re.compile(r"^\s*(\d{1,5})\s*([dhw]?)\s*$")
BATCH = 200


def parse_age(text: str) -> timedelta:
    """``180d``, ``26w``, ``48h`` (a bare number is days)."""
    match = _AGE.match(text or "")
    if not match:
        raise InvalidInput("an age is a number of days, weeks or hours: 180d, 26w, 48h",
                               errors={"older_than": [f"not an age: {text!r}"]})
    amount, unit = int(match.group(1)), match.group(2) or "d"
    return {"d": timedelta(days=amount), "w": timedelta(weeks=amount), "h": timedelta(hours=amount)}[unit]


@dataclass
class Report:
    cutoff: str
    candidates: int = 0
    compacted: int = 0
    skipped: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    dry_run: bool = False


def _candidates(cutoff, after_id: int, limit: int):
    return (select(ProcessInstance.id)
            .where(ProcessInstance.status == "completed", ProcessInstance.ended_at < cutoff,
                   ProcessInstance.id > after_id,
                   ~exists().where(RetainedCase.instance_id == ProcessInstance.id))
            .order_by(ProcessInstance.id).limit(limit))


def count(cutoff) -> int:
    return db.session.scalar(select(func.count()).select_from(_candidates(cutoff, 0, 10**9).subquery())) or 0


def _compact(instance_id: int, cutoff) -> tuple[int, int] | None:
    def action(work):
        instance = db.session.execute(
            select(ProcessInstance).options(undefer(ProcessInstance.state))
            .where(ProcessInstance.id == instance_id, ProcessInstance.status == "completed",
                   ProcessInstance.ended_at < cutoff)).scalar_one_or_none()
        if instance is None or db.session.get(RetainedCase, instance_id) is not None:
            return None
        before = instance.state or ""
        try:
            after = retire(store.spec(instance), before)
        except NotRetirable:
            return None
        instance.state = after  # the revision bumps: cached runs of the old one are never used
        work.add(RetainedCase(instance_id=instance_id, retained_at=clock.now(), bytes_before=len(before),
                              bytes_after=len(after)))
        return len(before), len(after)

    return uow.run(action)


def run(older_than: timedelta, dry_run: bool = False, progress: Callable[[Report], None] | None = None,
        batch: int = BATCH, actor=None) -> Report:
    """Compact every completed case that ended before now − ``older_than``; ``progress(report)``
    after each batch."""
    cutoff = clock.now() - older_than
    report = Report(cutoff=cutoff.isoformat(), candidates=count(cutoff), dry_run=dry_run)
    if dry_run or not report.candidates:
        if progress:
            progress(report)
        return report
    last_id = 0
    while True:
        ids = list(db.session.execute(_candidates(cutoff, last_id, batch)).scalars())
        db.session.rollback()  # end the read: every case is a unit of work of its own
        if not ids:
            break
        for instance_id in ids:
            sizes = _compact(instance_id, cutoff)
            if sizes is None:
                report.skipped += 1
                continue
            report.compacted += 1
            report.bytes_before += sizes[0]
            report.bytes_after += sizes[1]
        last_id = ids[-1]
        if progress:
            progress(report)
    uow.run(lambda work: audit.record("retention_run", actor=actor, detail={
        "cutoff": report.cutoff, "compacted": report.compacted, "bytes_before": report.bytes_before,
        "bytes_after": report.bytes_after}))
    return report
