"""Where a period's atoms come from: the snapshots of frozen months, or the live rollups.

A month (or a quarter or year whose months are all frozen) is read from its snapshots, with the
platform's late-fact adjustments; anything else from the daily rollups, its stocks summed from
the latest frozen month end before it."""

from collections import defaultdict
from dataclasses import dataclass, field

from . import freezing, periods, rollups
from .tables import Period


@dataclass
class PeriodAtoms:
    """Atoms for one period, [n, total] per atom: per unit id or unit path prefix (``units``), and
    per person id (``people``)."""

    units: dict = field(default_factory=lambda: defaultdict(dict))
    people: dict = field(default_factory=lambda: defaultdict(dict))
    frozen: list[Period] = field(default_factory=list)

    @property
    def is_frozen(self) -> bool:
        return bool(self.frozen)


def frozen_months(root_id: int, period: periods.Period) -> list[Period] | None:
    """The frozen months making up ``period``, or None unless all of it is frozen."""
    months = [period] if period.kind == "month" else period.months()
    if not months or months[0].start != period.start or months[-1].end != period.end:
        return None
    done = freezing.frozen(root_id)
    found = [done.get(m.key) for m in months]
    return found if all(found) else None


def _put(target: dict, sums: dict, only=None, skip=None) -> None:
    for (subject, atom), value in sums.items():
        if only is not None and not only(atom):
            continue
        if skip is not None and skip(atom):
            continue
        cell = target[subject].setdefault(atom, [0, 0.0])
        if isinstance(value, list):
            cell[0] += value[0]
            cell[1] += value[1]
        else:
            cell[0] += value


def _frozen(path: str, months: list[Period], by, target: dict, adjusted: bool) -> None:
    ids = [m.id for m in months]
    last = [months[-1].id]
    _put(target, rollups.snapshot(ids, path, by), skip=freezing.is_stock)
    _put(target, rollups.snapshot(last, path, by), only=freezing.is_stock)
    if adjusted:
        _put(target, freezing.atom_adjustments(ids, path, by), skip=freezing.is_stock)
        _put(target, freezing.atom_adjustments(last, path, by), only=freezing.is_stock)


def _live(root_id: int, path: str, period: periods.Period, by, target: dict) -> None:
    _put(target, rollups.flows(path, period.start, period.end, by))
    mark = freezing.checkpoint(root_id, period.end)
    if mark is not None:
        _put(target, rollups.snapshot([mark.id], path, by), only=freezing.is_stock)
        _put(target, freezing.atom_adjustments([mark.id], path, by), only=freezing.is_stock)
    _put(target, rollups.stocks(path, period.end, by, since=mark.ends_on if mark else None))


def load(path: str, period: periods.Period, people: bool = False, adjusted: bool = True,
         prefix: int | None = None) -> PeriodAtoms:
    """The period's atoms in the subtree at ``path``: per unit, or (``prefix``) per subtree of the
    units whose paths have that length; with ``people``, per person too. ``adjusted`` False: a
    frozen month exactly as frozen, without the late-fact adjustments."""
    root_id = freezing.root_id_of(path)
    found = PeriodAtoms()
    months = frozen_months(root_id, period)
    read = (lambda by, target: _frozen(path, months, by, target, adjusted)) if months else \
        (lambda by, target: _live(root_id, path, period, by, target))
    found.frozen = months or []
    read(prefix, found.units)
    if people:
        read(rollups.PEOPLE, found.people)
    return found
