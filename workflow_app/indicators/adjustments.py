"""Corrections of figures: an adjustment adds ``delta`` to a count of one subject (a unit, or a
person) in one period, with its reason and author. The figure shows the sum and lists the
adjustment; the frozen figure without it stays readable (``adjusted=false``). A month's
adjustments count in the quarter and year around it. A correction that would make a figure
impossible (a count below 0, a rate's numerator past its denominator) is refused (``bounds``)."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from .. import audit, clock, uow
from ..errors import InvalidInput
from ..extensions import db
from ..models import OrgUnit, User
from ..org import tree
from . import bounds, closing, freezing, periods, permissions, versions
from .tables import NO_ACTOR, Adjustment

MAX_DELTA = 1_000_000
MAX_REASON = 2000


def period_keys(period: periods.Period) -> list[str]:
    """The adjustment keys that count in ``period``: its own, and its whole months'."""
    keys = [period.key]
    if period.kind == "year":
        keys += [periods.quarter(period.start.year, q).key for q in range(1, 5)]
    keys += [m.key for m in period.months() if m.key != period.key]
    return keys


@dataclass
class Found:
    deltas: dict  # (unit id or person id, indicator) -> delta
    records: dict  # unit id or person id -> [Adjustment]


def for_period(path: str, period: periods.Period, people: bool) -> Found:
    """Adjustments inside the subtree at ``path`` for ``period``: the deltas of counts, and every
    adjustment (of counts and of atoms) to list beside the figures."""
    root_id = freezing.root_id_of(path)
    actor = Adjustment.actor_id > NO_ACTOR if people else Adjustment.actor_id == NO_ACTOR
    rows = db.session.execute(
        select(Adjustment).where(Adjustment.root_id == root_id, Adjustment.period.in_(period_keys(period)), actor,
                                 tree.within(Adjustment.unit_path, path))
        .order_by(Adjustment.id)).scalars()
    found = Found(defaultdict(float), defaultdict(list))
    for row in rows:
        subject = row.actor_id if people else row.unit_id
        if row.indicator is not None:  # a count's correction; an atom's (a late fact) is in the atoms already
            found.deltas[(subject, row.indicator)] += row.delta
        found.records[subject].append(row)
    return found


def _subject(code: str) -> tuple[OrgUnit, User | None]:
    unit = tree.by_code(code)
    if unit is not None:
        return unit, None
    person = db.session.execute(select(User).where(User.username == code)).scalar_one_or_none()
    if person is None or not person.assignments:
        raise InvalidInput(f"no org unit or person {code!r}", {"subject": ["unknown org unit code or username"]})
    return person.assignments[0].org_unit, person


def _check(period_key: str, indicator: str, delta: float, reason: str, unit: OrgUnit) -> periods.Period:
    period = periods.parse(period_key)
    errors = {}
    if period.kind == "range":
        errors["period"] = ["adjust a month, a quarter or a year"]
    elif period.starts_at > clock.now():
        errors["period"] = ["the period has not begun"]
    if not isinstance(delta, int | float) or isinstance(delta, bool) or not 0 < abs(delta) <= MAX_DELTA:
        errors["delta"] = [f"a non-zero number of at most {MAX_DELTA:,}"]
    if not (reason or "").strip():
        errors["reason"] = ["a correction needs its reason"]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [f"at most {MAX_REASON} characters"]
    if not errors:
        at = period.ends_at if period.closed() else clock.now()
        document = versions.resolve(unit, at).document
        kinds = {i.get("id"): i.get("kind") for i in document.get("indicators") or []}
        if kinds.get(indicator) != "count":
            errors["indicator"] = ["adjust a count (rates, scores and composites follow from the counts)"]
    if errors:
        raise InvalidInput("the adjustment is not valid", errors)
    return period


def _deltas_so_far(unit: OrgUnit, person: User | None, period: periods.Period) -> dict:
    """The subject's count corrections in ``period`` so far, by indicator (a unit: its subtree's)."""
    found, deltas = for_period(unit.path, period, person is not None), defaultdict(float)
    for (subject, indicator), delta in found.deltas.items():
        if person is None or subject == person.id:
            deltas[indicator] += delta
    return dict(deltas)


def create(actor: User, subject: str, period_key: str, indicator: str, delta: float, reason: str) -> Adjustment:
    unit, person = _subject(subject)
    permissions.require_adjust(actor, unit)
    period = _check(period_key, indicator, delta, reason, unit)
    root = tree.ref_by_id(freezing.root_id_of(unit.path))
    if period.closed():
        root_unit = db.session.get(OrgUnit, root.id)
        for month in ([period] if period.kind == "month" else period.months()):
            closing.ensure_frozen(root_unit, month)
    bounds.check(unit, person.id if person else None, period, indicator, float(delta),
                 _deltas_so_far(unit, person, period))

    def action(work):
        row = Adjustment(root_id=root.id, period=period.key, unit_id=unit.id, unit_path=unit.path,
                         actor_id=person.id if person else NO_ACTOR, indicator=indicator, delta=float(delta),
                         reason=reason.strip(), author_id=actor.id, author=actor.username, at=clock.now())
        db.session.add(row)
        audit.record("indicator_adjusted", actor=actor, subject=f"indicators:{subject}:{period.key}",
                     detail={"indicator": indicator, "delta": float(delta), "reason": reason.strip()})
        return row

    return uow.run(action)


def listing(actor: User, code: str | None, period_key: str | None) -> list[Adjustment]:
    unit = tree.require(code) if code else tree.root_unit()
    permissions.require_view(actor, unit)
    query = select(Adjustment).where(tree.within(Adjustment.unit_path, unit.path))
    if period_key:
        query = query.where(Adjustment.period.in_(period_keys(periods.parse(period_key))))
    return list(db.session.execute(query.order_by(Adjustment.id.desc()).limit(500)).scalars())
