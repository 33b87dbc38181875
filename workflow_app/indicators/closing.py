"""Freezing ended months: once a month has ended (and a grace period passed), its atoms per unit
and actor are copied into a snapshot, with the definitions in force at its end, and the month is
read from there ever after. Stocks at its end are summed from the previous frozen month's."""

import os
from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from .. import clock, uow
from ..extensions import db
from ..models import OrgUnit
from ..org import tree
from . import freezing, periods, rollups, stream, versions
from .tables import Adjustment, Cursor, Period, Rollup, Snapshot, StockDelta

MAX_MONTHS_PER_RUN = 36


def grace() -> timedelta:
    hours = current_app.config.get("INDICATOR_FREEZE_GRACE_HOURS",
                                   float(os.environ.get("WORKFLOW_INDICATOR_FREEZE_GRACE_HOURS", "1")))
    return timedelta(hours=float(hours))


def _definition_ids(at: datetime) -> dict:
    ids = {}
    for locality in ["", *versions.localities()]:
        version = versions.in_force(locality, at)
        if version is not None:
            ids[locality] = version.id
    return ids


def _snapshot_rows(root: OrgUnit, month: periods.Period) -> list[dict]:
    path = root.path
    flows = db.session.execute(
        select(Rollup.unit_id, Rollup.unit_path, Rollup.actor_id, Rollup.atom, func.sum(Rollup.n),
               func.sum(Rollup.total))
        .where(Rollup.day >= month.start, Rollup.day < month.end, tree.within(Rollup.unit_path, path))
        .group_by(Rollup.unit_id, Rollup.unit_path, Rollup.actor_id, Rollup.atom)).all()
    stock: dict = defaultdict(int)
    previous = freezing.checkpoint(root.id, month.start)
    since = None
    if previous is not None:
        since = previous.ends_on
        for row in db.session.execute(select(Snapshot).where(Snapshot.period_id == previous.id,
                                                             Snapshot.atom.in_(_stock_atoms(previous.id)))).scalars():
            stock[(row.unit_id, row.unit_path, row.actor_id, row.atom)] += row.n
        for adj in db.session.execute(select(Adjustment).where(
                Adjustment.root_id == root.id, Adjustment.period == previous.period,
                Adjustment.atom.is_not(None))).scalars():
            if freezing.is_stock(adj.atom):
                stock[(adj.unit_id, adj.unit_path, adj.actor_id, adj.atom)] += int(adj.delta)
    query = (select(StockDelta.unit_id, StockDelta.unit_path, StockDelta.actor_id, StockDelta.atom,
                    func.sum(StockDelta.n))
             .where(StockDelta.day < month.end, tree.within(StockDelta.unit_path, path))
             .group_by(StockDelta.unit_id, StockDelta.unit_path, StockDelta.actor_id, StockDelta.atom))
    if since is not None:
        query = query.where(StockDelta.day >= since)
    for unit_id, unit_path, actor, atom, n in db.session.execute(query):
        stock[(unit_id, unit_path, actor, atom)] += int(n or 0)
    rows = [{"unit_id": u, "unit_path": p, "actor_id": a, "atom": atom, "n": int(n or 0), "total": float(t or 0)}
            for u, p, a, atom, n, t in flows]
    rows += [{"unit_id": u, "unit_path": p, "actor_id": a, "atom": atom, "n": n, "total": 0.0}
             for (u, p, a, atom), n in stock.items() if n]
    return rows


def _stock_atoms(period_id: int) -> list[str]:
    atoms = db.session.scalars(select(Snapshot.atom).where(Snapshot.period_id == period_id).distinct())
    return [a for a in atoms if freezing.is_stock(a)]


def freeze(root: OrgUnit, month: periods.Period, now: datetime | None = None) -> Period | None:
    """Freeze one ended month of a county (idempotent; another node's freeze wins a race)."""
    now = now or clock.now()
    if not month.closed(now):
        return None

    def action(work):
        existing = db.session.execute(select(Period).where(Period.root_id == root.id,
                                                           Period.period == month.key)).scalar_one_or_none()
        if existing is not None:
            return existing
        cursor = db.session.get(Cursor, stream.NAME)
        record = Period(root_id=root.id, period=month.key, starts_on=month.start, ends_on=month.end, frozen_at=now,
                        definitions=_definition_ids(month.ends_at), last_fact_id=cursor.last_id if cursor else 0)
        db.session.add(record)
        db.session.flush()
        rows = _snapshot_rows(root, month)
        if rows:
            db.session.execute(insert(Snapshot), [{"period_id": record.id, **row} for row in rows])
        return record

    try:
        return uow.run(action)
    except IntegrityError:  # frozen by another node meanwhile
        db.session.rollback()
        return db.session.execute(select(Period).where(Period.root_id == root.id,
                                                       Period.period == month.key)).scalar_one_or_none()


def ensure_frozen(root: OrgUnit, month: periods.Period) -> Period | None:
    """A month that has ended, frozen now if it is not yet (after rolling up what is pending; while a
    backlog is still rolling up, None: the month is read live)."""
    found = freezing.frozen(root.id).get(month.key)
    if found is not None or not month.closed():
        return found
    stream.catch_up(30.0)
    if stream.pending():
        return None  # a backlog still rolling up: the month stays live until the scheduler freezes it
    for earlier in periods.months_between(rollups.first_day() or month.start, month.start):
        if earlier.key not in freezing.frozen(root.id):
            freeze(root, earlier)
    return freeze(root, month)


def freeze_due(now: datetime | None = None) -> int:
    """Freeze every county's months that ended more than the grace period ago."""
    now = now or clock.now()
    first = rollups.first_day()
    if first is None:
        return 0
    cutoff = periods.local_day(now - grace())
    made = 0
    for root in db.session.execute(select(OrgUnit).where(OrgUnit.parent_id.is_(None))).scalars():
        done = freezing.frozen(root.id)
        for month in periods.months_between(first, cutoff)[-MAX_MONTHS_PER_RUN:]:
            if month.key not in done and month.ends_at + grace() <= now and freeze(root, month, now) is not None:
                made += 1
    return made
