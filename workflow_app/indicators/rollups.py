"""Writing and reading the daily rollups.

Increments are collected per (day, unit, actor, atom) while a batch of facts is read, then
upserted in one statement per table (``INSERT … ON CONFLICT DO UPDATE``, on SQLite and
PostgreSQL alike). Reading a period sums the days of its flows and, for stocks, every delta
before its end (from the latest frozen month end, when there is one)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..org import tree
from .tables import NO_ACTOR, Rollup, Snapshot, StockDelta

Key = tuple[date, int, str, int, str]  # day, unit id, unit path, actor id, atom


@dataclass
class Increments:
    flows: dict[Key, list] = field(default_factory=dict)
    stocks: dict[Key, int] = field(default_factory=dict)

    def flow(self, day: date, unit_id: int, unit_path: str, actor_id: int | None, atom: str,
             n: int = 1, total: float = 0.0) -> None:
        """Add to the unit's total and, when there is one, to the actor's own share."""
        for actor in (NO_ACTOR, actor_id) if actor_id else (NO_ACTOR,):
            key = (day, unit_id, unit_path, actor, atom)
            entry = self.flows.get(key)
            if entry is None:
                self.flows[key] = [n, total]
            else:
                entry[0] += n
                entry[1] += total

    def stock(self, day: date, unit_id: int, unit_path: str, actor_id: int | None, atom: str, n: int) -> None:
        key = (day, unit_id, unit_path, NO_ACTOR, atom)
        self.stocks[key] = self.stocks.get(key, 0) + n
        if actor_id:
            mine = (day, unit_id, unit_path, actor_id, atom)
            self.stocks[mine] = self.stocks.get(mine, 0) + n

    def __bool__(self) -> bool:
        return bool(self.flows or self.stocks)

    def flow_rows(self) -> list[tuple]:
        """(day, unit id, path, actor id, atom, n, total) per key."""
        return [(*key, n, total) for key, (n, total) in self.flows.items()]

    def stock_rows(self) -> list[tuple]:
        return [(day, unit_id, path, actor, atom, n) for (day, unit_id, path, actor, atom), n in self.stocks.items()
                if n]


_UPSERT = {
    "indicator_rollup": ("INSERT INTO indicator_rollup (day, unit_id, unit_path, actor_id, atom, n, total) "
                         "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (day, unit_id, actor_id, atom) "
                         "DO UPDATE SET n = indicator_rollup.n + excluded.n, "
                         "total = indicator_rollup.total + excluded.total"),
    "indicator_stock": ("INSERT INTO indicator_stock (day, unit_id, unit_path, actor_id, atom, n) "
                        "VALUES ({p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (day, unit_id, actor_id, atom) "
                        "DO UPDATE SET n = indicator_stock.n + excluded.n"),
}


def _upsert(table: str, rows: list[tuple]) -> None:
    """Add rows to a rollup table in one driver-level executemany (no per-row statement building).
    Only the facts stream's batch writes these tables, one at a time (it holds the cursor's lock)."""
    if not rows:
        return
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    statement = _UPSERT[table].format(p="?" if sqlite else "%s")
    if sqlite:  # dates as SQLAlchemy's SQLite Date type stores them
        rows = [(r[0].isoformat(), *r[1:]) for r in rows]
    connection.exec_driver_sql(statement, rows)


def write(increments: Increments) -> None:
    """Add the increments to the rollup and stock tables."""
    _upsert("indicator_rollup", increments.flow_rows())
    _upsert("indicator_stock", increments.stock_rows())


# --- reading -----------------------------------------------------------------------------------

Sums = dict[tuple, list]  # (unit id, person id or path prefix; atom) -> [n, total]
PEOPLE = "people"  # group by person; an int groups by the first that many characters of the unit's path


def key(model, by):
    """The column a read groups by, and the actor rows it reads: per unit (``None``), per person
    (``PEOPLE``), or per unit path prefix of a length (``int``: the subtree of each unit at one depth)."""
    if by == PEOPLE:
        return model.actor_id, model.actor_id > NO_ACTOR
    column = model.unit_id if by is None else func.substr(model.unit_path, 1, by)
    return column, model.actor_id == NO_ACTOR


def flows(path: str, start: date, end: date, by=None) -> Sums:
    """Flow atoms summed over ``[start, end)`` in the subtree at ``path``, grouped ``by``."""
    column, actors = key(Rollup, by)
    rows = db.session.execute(
        select(column, Rollup.atom, func.sum(Rollup.n), func.sum(Rollup.total))
        .where(actors, Rollup.day >= start, Rollup.day < end, tree.within(Rollup.unit_path, path))
        .group_by(column, Rollup.atom))
    return {(k, atom): [int(n or 0), float(t or 0)] for k, atom, n, t in rows}


def stocks(path: str, end: date, by=None, since: date | None = None) -> dict[tuple, int]:
    """Stock deltas before ``end`` (from ``since``, a frozen checkpoint) in the subtree."""
    column, actors = key(StockDelta, by)
    query = (select(column, StockDelta.atom, func.sum(StockDelta.n))
             .where(actors, StockDelta.day < end, tree.within(StockDelta.unit_path, path))
             .group_by(column, StockDelta.atom))
    if since is not None:
        query = query.where(StockDelta.day >= since)
    return {(k, atom): int(n or 0) for k, atom, n in db.session.execute(query)}


def snapshot(period_ids: list[int], path: str, by=None) -> Sums:
    """Frozen atoms of one or more months in the subtree (flows summed; stocks as stored)."""
    column, actors = key(Snapshot, by)
    rows = db.session.execute(
        select(column, Snapshot.atom, func.sum(Snapshot.n), func.sum(Snapshot.total))
        .where(Snapshot.period_id.in_(period_ids), actors, tree.within(Snapshot.unit_path, path))
        .group_by(column, Snapshot.atom))
    return {(k, atom): [int(n or 0), float(t or 0)] for k, atom, n, t in rows}


def first_day() -> date | None:
    """The earliest day anything was rolled up (the first month there is to freeze)."""
    days = [db.session.scalar(select(func.min(Rollup.day))), db.session.scalar(select(func.min(StockDelta.day)))]
    days = [d for d in days if d is not None]
    return min(days) if days else None
