"""Whether a correction leaves a subject's figures possible: a count adjusted (and every count
made from it: sums, formulas) stays at 0 or above, and every rate keeps its numerator within its
denominator (a rate between 0 and 100%). The figures are computed twice over the subject's atoms,
with the adjustments it has and with the new one too, by the same calculator the tables use.

A period's flows may already put a numerator past its denominator (a case filed last month and
self-handled this one): a correction is refused only when it makes a figure impossible or more
so, never for bringing one back."""

from .. import clock
from ..errors import InvalidInput
from . import document as doc
from . import periods, sources, stream, versions
from .figures import Calculator, Subject


def _sum(values: dict, refs) -> float | None:
    found = [values.get(ref) for ref in (refs if isinstance(refs, list) else [refs])]
    return None if any(v is None for v in found) else sum(found)


def _atoms(path: str, period: periods.Period, person_id: int | None) -> tuple[dict, list]:
    found = sources.load(path, period, people=person_id is not None)
    if person_id is not None:
        return dict(found.people.get(person_id, {})), found.frozen
    merged: dict = {}
    for unit_atoms in found.units.values():
        for atom, (n, total) in unit_atoms.items():
            cell = merged.setdefault(atom, [0, 0.0])
            cell[0], cell[1] = cell[0] + n, cell[1] + total
    return merged, found.frozen


def _name(by_id: dict, ident) -> str:
    refs = ident if isinstance(ident, list) else [ident]
    return " + ".join(doc.name_of(by_id[r]) if r in by_id else str(r) for r in refs)


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _counts(items: list[dict], before: dict, after: dict) -> str | None:
    for item in items:
        ident = item["id"]
        now, then = after.get(ident), before.get(ident)
        if item["kind"] == "count" and isinstance(now, int | float) and now < 0 and (then is None or now < then):
            return f"with this correction {doc.name_of(item)} would be {_number(now)}, below 0"
    return None


def _rates(items: list[dict], before: dict, after: dict) -> str | None:
    for item in items:
        if item["kind"] != "rate":
            continue
        top, bottom = _sum(after, item["numerator"]), _sum(after, item["denominator"])
        if top is None or bottom is None or top <= bottom:
            continue
        was_top, was_bottom = _sum(before, item["numerator"]), _sum(before, item["denominator"])
        if was_top is not None and was_bottom is not None and top - bottom <= was_top - was_bottom:
            continue  # no more impossible than the flows already made it
        by_id = {i["id"]: i for i in items}
        return (f"with this correction {_name(by_id, item['numerator'])} would be {_number(top)}, "
                f"more than {_name(by_id, item['denominator'])} ({_number(bottom)}): "
                f"{doc.name_of(item)} cannot pass 100%")
    return None


def check(unit, person_id: int | None, period: periods.Period, indicator: str, delta: float, deltas: dict) -> None:
    """Refuse (on ``delta``) a correction of ``indicator`` by ``delta`` that makes a figure of the
    subject (``person_id``, else the unit's subtree) impossible; ``deltas``: its adjustments so far."""
    if not period.closed():  # a closed period was frozen before (adjustments.create): its snapshots are read
        stream.catch_up(stream.READ_BUDGET, wait=False)
    atoms, frozen = _atoms(unit.path, period, person_id)
    moment = period.ends_at if period.closed() else clock.now()
    resolved = versions.resolve(unit, moment, frozen[-1].definitions if frozen else None)
    calculator = Calculator(resolved.document)
    level = "person" if person_id is not None else getattr(unit, "level", "")
    after_deltas = {**deltas, indicator: deltas.get(indicator, 0) + delta}
    before, after = calculator.compute([Subject("before", level, frozenset(), atoms, dict(deltas)),
                                        Subject("after", level, frozenset(), atoms, after_deltas)])
    problem = _counts(calculator.items, before.values, after.values) or \
        _rates(calculator.items, before.values, after.values)
    if problem is not None:
        raise InvalidInput(problem, {"delta": [problem]})
