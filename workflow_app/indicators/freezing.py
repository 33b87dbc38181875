"""Frozen months: once a month has ended (and a grace period passed), its atoms are copied into a
snapshot with the definitions in force at its end, and read from there ever after.

Nothing is edited afterwards. A correction is an adjustment with its reason and author: made by
a supervisor or evaluator on a count, or by the platform when a fact dated inside a frozen month
arrives after the freeze (a transaction still in flight at the time): then its atoms become
adjustments of that month (and, for stocks, of every frozen month end after it)."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..org import tree
from . import rollups
from .rollups import Increments
from .tables import Adjustment, Period

SYSTEM = "system"


def root_id_of(path: str) -> int:
    return int(path.strip("/").split("/")[0])


def frozen(root_id: int) -> dict[str, Period]:
    """The frozen months of a county, by key."""
    rows = db.session.execute(select(Period).where(Period.root_id == root_id)).scalars()
    return {row.period: row for row in rows}


def checkpoint(root_id: int, before) -> Period | None:
    """The latest frozen month of the county that ends by ``before`` (a date)."""
    return db.session.execute(select(Period).where(Period.root_id == root_id, Period.ends_on <= before)
                              .order_by(Period.ends_on.desc()).limit(1)).scalar_one_or_none()


def _months_by_root(roots: set[int]) -> dict[int, list[Period]]:
    found = defaultdict(list)
    if roots:
        for row in db.session.execute(select(Period).where(Period.root_id.in_(roots))).scalars():
            found[row.root_id].append(row)
    return found


def late_adjustments(increments: Increments, facts, now: datetime) -> int:
    """Adjust frozen months for increments dated inside them (facts that arrived after the freeze)."""
    paths = {key[2] for key in increments.flows} | {key[2] for key in increments.stocks}
    months = _months_by_root({root_id_of(path) for path in paths})
    if not any(months.values()):
        return 0
    ids = [f.id for f in facts]
    reason = (f"冻结后到达的数据（事实 #{min(ids)}–#{max(ids)}）" if ids else "冻结后到达的数据（超期扫描）")
    made = 0
    for day, unit_id, path, actor, atom, n, _total in increments.flow_rows():
        for month in months.get(root_id_of(path), []):
            if month.starts_on <= day < month.ends_on and n:
                made += _adjust(month, unit_id, path, actor, atom, n, reason, now)
    for day, unit_id, path, actor, atom, n in increments.stock_rows():
        for month in months.get(root_id_of(path), []):
            if day < month.ends_on and n:
                made += _adjust(month, unit_id, path, actor, atom, n, reason, now)
    return made


def _adjust(month: Period, unit_id, path, actor, atom, n, reason, now) -> int:
    db.session.add(Adjustment(root_id=month.root_id, period=month.period, unit_id=unit_id, unit_path=path,
                              actor_id=actor, atom=atom, delta=n, reason=reason, author=SYSTEM, at=now))
    return 1


def atom_adjustments(period_ids: list[int], path: str, by=None) -> dict[tuple, float]:
    """The platform's atom adjustments of frozen months in a subtree, per atom, grouped ``by`` (as
    the rollups are read)."""
    keys = db.session.execute(select(Period.root_id, Period.period).where(Period.id.in_(period_ids))).all()
    found: dict = defaultdict(float)
    column, actors = rollups.key(Adjustment, by)
    for root_id, key in keys:
        rows = db.session.execute(
            select(column, Adjustment.atom, func.sum(Adjustment.delta))
            .where(Adjustment.root_id == root_id, Adjustment.period == key, Adjustment.atom.is_not(None), actors,
                   tree.within(Adjustment.unit_path, path)).group_by(column, Adjustment.atom))
        for subject, atom, delta in rows:
            found[(subject, atom)] += float(delta or 0)
    return found


def is_stock(atom: str) -> bool:
    return atom in ("c|open", "c|overdue") or atom.startswith("t|")
