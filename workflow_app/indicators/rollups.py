"""Writing and reading the daily rollups.

Increments are collected per (day, unit, actor, atom) while a batch of facts is read, then
upserted in one statement per table (``INSERT … ON CONFLICT DO UPDATE``, on SQLite and
PostgreSQL alike). Reading a period sums the days of its flows and, for stocks, every delta
before its end (from the latest frozen month end, when there is one)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..org import tree
from .tables import NO_ACTOR, Rollup, Snapshot, StockDelta

Key = tuple[date, int, str, int, str]  # day, unit id, unit path, actor id, atom


@dataclass
class Increments:
    flows: dict[Key, list] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0]))
    stocks: dict[Key, int] = field(default_factory=lambda: defaultdict(int))

    def flow(self, day: date, unit_id: int, unit_path: str, actor_id: int | None, atom: str,
             n: int = 1, total: float = 0.0) -> None:
        for actor in {NO_ACTOR, actor_id or NO_ACTOR}:
            entry = self.flows[(day, unit_id, unit_path, actor, atom)]
            entry[0] += n
            entry[1] += total

    def stock(self, day: date, unit_id: int, unit_path: str, actor_id: int | None, atom: str, n: int) -> None:
        for actor in {NO_ACTOR, actor_id or NO_ACTOR}:
            self.stocks[(day, unit_id, unit_path, actor, atom)] += n

    def __bool__(self) -> bool:
        return bool(self.flows or self.stocks)


def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def write(increments: Increments) -> None:
    """Add the increments to the rollup and stock tables."""
    if increments.flows:
        rows = [{"day": d, "unit_id": u, "unit_path": p, "actor_id": a, "atom": atom, "n": n, "total": t}
                for (d, u, p, a, atom), (n, t) in sorted(increments.flows.items())]
        table = Rollup.__table__
        statement = _insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=["day", "unit_id", "actor_id", "atom"],
            set_={"n": table.c.n + statement.excluded.n, "total": table.c.total + statement.excluded.total})
        db.session.execute(statement, rows)
    rows = [{"day": d, "unit_id": u, "unit_path": p, "actor_id": a, "atom": atom, "n": n}
            for (d, u, p, a, atom), n in sorted(increments.stocks.items()) if n]
    if rows:
        table = StockDelta.__table__
        statement = _insert(table)
        statement = statement.on_conflict_do_update(index_elements=["day", "unit_id", "actor_id", "atom"],
                                                    set_={"n": table.c.n + statement.excluded.n})
        db.session.execute(statement, rows)


# --- reading -----------------------------------------------------------------------------------

Sums = dict[tuple[int, str], list]  # (unit id or actor id, atom) -> [n, total]


def _group(people: bool):
    return (Rollup.actor_id if people else Rollup.unit_id), (StockDelta.actor_id if people else StockDelta.unit_id)


def _actor_clause(column, people: bool):
    return column > NO_ACTOR if people else column == NO_ACTOR


def flows(path: str, start: date, end: date, people: bool = False) -> Sums:
    """Flow atoms summed over ``[start, end)`` in the subtree at ``path``, per unit (or per person)."""
    by, _ = _group(people)
    rows = db.session.execute(
        select(by, Rollup.atom, func.sum(Rollup.n), func.sum(Rollup.total))
        .where(_actor_clause(Rollup.actor_id, people), Rollup.day >= start, Rollup.day < end,
               tree.within(Rollup.unit_path, path))
        .group_by(by, Rollup.atom))
    return {(key, atom): [int(n or 0), float(t or 0)] for key, atom, n, t in rows}


def stocks(path: str, end: date, people: bool = False, since: date | None = None) -> dict[tuple[int, str], int]:
    """Stock deltas before ``end`` (from ``since``, a frozen checkpoint) in the subtree."""
    _, by = _group(people)
    query = (select(by, StockDelta.atom, func.sum(StockDelta.n))
             .where(_actor_clause(StockDelta.actor_id, people), StockDelta.day < end,
                    tree.within(StockDelta.unit_path, path)).group_by(by, StockDelta.atom))
    if since is not None:
        query = query.where(StockDelta.day >= since)
    return {(key, atom): int(n or 0) for key, atom, n in db.session.execute(query)}


def snapshot(period_ids: list[int], path: str, people: bool = False) -> Sums:
    """Frozen atoms of one or more months in the subtree (flows summed; stocks as stored)."""
    by = Snapshot.actor_id if people else Snapshot.unit_id
    rows = db.session.execute(
        select(by, Snapshot.atom, func.sum(Snapshot.n), func.sum(Snapshot.total))
        .where(Snapshot.period_id.in_(period_ids), _actor_clause(Snapshot.actor_id, people),
               tree.within(Snapshot.unit_path, path))
        .group_by(by, Snapshot.atom))
    return {(key, atom): [int(n or 0), float(t or 0)] for key, atom, n, t in rows}


def first_day() -> date | None:
    """The earliest day anything was rolled up (the first month there is to freeze)."""
    days = [db.session.scalar(select(func.min(Rollup.day))), db.session.scalar(select(func.min(StockDelta.day)))]
    days = [d for d in days if d is not None]
    return min(days) if days else None
