"""Indicator tables: the figures of every subject at a level under an org unit for a period,
with the unit's own total, grades, ranks by composite and the change from the previous period."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from .. import clock
from ..errors import Forbidden, InvalidInput
from ..models import OrgUnit, User
from ..org import tree
from . import adjustments, periods, permissions, sources, stream, subjects, versions
from . import document as doc
from .figures import Calculator, Figures, Subject

LEVELS = (*subjects.AREA_LEVELS, "department", "person")


@dataclass
class RowView:
    row: subjects.Row
    figures: Figures
    resolved: versions.Resolved
    adjustments: list = field(default_factory=list)
    rank: int | None = None
    previous: dict | None = None

    @property
    def change(self) -> dict | None:
        if not self.previous:
            return None
        before, now = self.previous.get("composite"), self.figures.composite
        rank_before = self.previous.get("rank")
        return {"composite": round(now - before, 2) if now is not None and before is not None else None,
                "rank": rank_before - self.rank if rank_before is not None and self.rank is not None else None}


@dataclass
class Table:
    unit: OrgUnit
    period: periods.Period
    level: str
    rows: list[RowView]
    total: RowView
    frozen: list
    as_of: datetime
    adjusted: bool
    role: str | None = None

    @property
    def closed(self) -> bool:
        return self.period.closed()

    @property
    def definitions(self) -> versions.Resolved:
        return self.total.resolved


def _merge(target: dict, atoms: dict) -> None:
    for atom, (n, total) in atoms.items():
        cell = target.setdefault(atom, [0, 0.0])
        cell[0] += n
        cell[1] += total


def person_roles(document: dict) -> list[str]:
    """The roles whose people the definitions score, those of primary composites first (in the
    definitions' order): people are ranked only against people of the same role."""
    found: list[str] = []
    items = [i for i in document.get("indicators") or [] if isinstance(i, dict) and i.get("kind") == "composite"
             and "person" in (i.get("subject") or {}).get("levels", [])]
    for item in sorted(items, key=lambda i: not i.get("primary")):
        found += [r for r in (item.get("subject") or {}).get("roles") or [] if r not in found]
    return found


def _person_roles(unit: OrgUnit, at: datetime) -> set[str]:
    return set(person_roles(versions.resolve(unit, at).document))


def default_role(unit: OrgUnit, held: set[str] | None = None) -> str | None:
    """The role a person table shows when none is asked: the first scored one (one the asking
    person holds, when they see only their own row)."""
    roles = person_roles(versions.resolve(unit, clock.now()).document)
    mine = [r for r in roles if held is None or r in held]
    return (mine or roles or [None])[0]


def _moment(period: periods.Period) -> datetime:
    return period.ends_at if period.closed() else clock.now()


class _Builder:
    """Computes one period's rows (grouped by the definitions that apply to each)."""

    def __init__(self, unit: OrgUnit, period: periods.Period, adjusted: bool):
        self.unit, self.period, self.adjusted = unit, period, adjusted
        self.moment = _moment(period)
        self.calculators: dict = {}
        self.frozen_ids = None

    def resolved(self, unit_ref) -> versions.Resolved:
        return versions.resolve(unit_ref, self.moment, self.frozen_ids)

    def calculator(self, resolved: versions.Resolved) -> Calculator:
        if resolved.key not in self.calculators:
            self.calculators[resolved.key] = Calculator(resolved.document)
        return self.calculators[resolved.key]

    def build(self, level: str, role: str | None, only_user: int | None) -> tuple[list[RowView], RowView, list]:
        people = level == "person"
        found = adjustments.for_period(self.unit.path, self.period, people) if self.adjusted else None
        under = subjects.units_under(self.unit)
        owner: dict = {}
        if people:
            roles = {role} if role else _person_roles(self.unit, self.moment)
            rows = subjects.people_rows(self.unit, roles, only_user)
            atoms = self._load(True, len(self.unit.path))  # units only for the total: one group
            pairs = [(r, atoms.people.get(r.user_id, {}), r.user_id) for r in rows]
        else:
            rows, owner = subjects.unit_rows(self.unit, level, under)
            depths = {len(r.unit.path) for r in rows}
            prefix = depths.pop() if len(depths) == 1 else None  # one depth: the database sums each subtree
            atoms = self._load(False, prefix)
            grouped: dict = defaultdict(dict)
            by_path = {r.unit.path: r.key for r in rows}
            for key, unit_atoms in atoms.units.items():
                if prefix is not None:  # the database summed each subject's subtree: one group each, read only
                    if key in by_path:
                        grouped[by_path[key]] = unit_atoms
                    continue
                subject = owner.get(key)
                if subject is not None:
                    _merge(grouped[subject], unit_atoms)
            ids = {u.code: u.id for u in under}
            pairs = [(r, grouped.get(r.key, {}), ids[r.key]) for r in rows]
        views = self._compute(pairs, found, people, owner)
        total = self._total(atoms, found)
        return views, total, atoms.frozen

    def _load(self, people: bool, prefix: int | None) -> sources.PeriodAtoms:
        atoms = sources.load(self.unit.path, self.period, people, self.adjusted, prefix)
        if atoms.is_frozen:
            self.frozen_ids = atoms.frozen[-1].definitions
        return atoms

    def _adjust(self, found, subject_id: int, people: bool, owner, unit_id_of_row=None) -> tuple[dict, list]:
        if found is None:
            return {}, []
        if people:
            deltas = {ind: d for (sid, ind), d in found.deltas.items() if sid == subject_id}
            return deltas, list(found.records.get(subject_id, []))
        deltas, records = defaultdict(float), []
        for (unit_id, ind), delta in found.deltas.items():
            if owner.get(unit_id) == unit_id_of_row:
                deltas[ind] += delta
        for unit_id, items in found.records.items():
            if owner.get(unit_id) == unit_id_of_row:
                records += items
        return dict(deltas), records

    def _compute(self, pairs, found, people: bool, owner) -> list[RowView]:
        groups: dict = defaultdict(list)
        for row, atoms, subject_id in pairs:
            resolved = self.resolved(row.unit)
            deltas, records = self._adjust(found, subject_id, people, owner, row.key)
            subject = Subject(row.key, row.level, row.roles, atoms, deltas)
            groups[resolved.key].append((row, subject, resolved, records))
        views = []
        for members in groups.values():
            figures = self.calculator(members[0][2]).compute([m[1] for m in members])
            views += [RowView(row, fig, resolved, records)
                      for (row, _s, resolved, records), fig in zip(members, figures, strict=True)]
        order = {row.key: n for n, (row, _a, _i) in enumerate(pairs)}
        return sorted(views, key=lambda v: order[v.row.key])

    def _total(self, atoms, found) -> RowView:
        merged: dict = {}
        for unit_atoms in atoms.units.values():
            _merge(merged, unit_atoms)
        deltas, records = defaultdict(float), []
        if found is not None:
            for (_unit, ind), delta in found.deltas.items():
                deltas[ind] += delta
            records = [r for items in found.records.values() for r in items]
        level = "department" if self.unit.kind != "area" else self.unit.level
        row = subjects.Row(self.unit.code, self.unit.name_zh, self.unit.name_en, level, tree.UnitRef.of(self.unit))
        resolved = self.resolved(row.unit)
        subject = Subject(row.key, level, frozenset(), merged, dict(deltas))
        return RowView(row, self.calculator(resolved).compute([subject])[0], resolved, records)


def rank(views: list[RowView]) -> None:
    """Competition ranking by composite, highest first (equal scores share a rank)."""
    scored = sorted((v for v in views if v.figures.composite is not None and not v.figures.short),
                    key=lambda v: -round(v.figures.composite, 4))
    previous, place = None, 0
    for number, view in enumerate(scored, start=1):
        value = round(view.figures.composite, 4)
        if value != previous:
            place, previous = number, value
        view.rank = place
    for view in views:
        if view.figures.composite is None or view.figures.short:
            view.rank = None


def _access(user: User, unit: OrgUnit, level: str) -> int | None:
    """None: the user sees every row; a user id: only that person's own row."""
    if permissions.may_view(user, unit):
        return None
    if level == "person":
        return user.id
    raise Forbidden(f"{user.username} may not see the indicators of {unit.code}")


def resolve_unit(user: User, code: str | None) -> OrgUnit:
    if code:
        return tree.require(code)
    return permissions.home_unit(user) or tree.root_unit()


def sort_rows(views: list[RowView], key: str | None, descending: bool) -> list[RowView]:
    if not key or key == "rank":
        ordered = sorted(views, key=lambda v: (v.rank is None, v.rank or 0))
        return list(reversed(ordered)) if key == "rank" and not descending else ordered

    def value(view: RowView):
        found = view.figures.values.get(key) if key != "composite" else view.figures.composite
        return (found is None, -(found or 0) if descending else (found or 0))

    return sorted(views, key=value)


@dataclass
class Ask:
    """What a table is asked for."""

    code: str | None
    period: periods.Period
    level: str | None = None
    role: str | None = None
    adjusted: bool = True
    sort: str | None = None
    descending: bool = True
    with_previous: bool = True


def table(user: User, ask: Ask, roll_up: bool = True) -> Table:
    """The indicator table (the API's and the pages' one entry point); ``roll_up=False`` when the
    caller rolled the facts stream up already (a trend asks for many tables in one request)."""
    unit = resolve_unit(user, ask.code)
    level = ask.level or subjects.default_level(unit)
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", {"level": ["unknown level"]})
    only_user = _access(user, unit, level)
    if level == "person" and not ask.role:
        ask = replace(ask, role=default_role(unit, set(user.roles()) if only_user else None))
    if roll_up:
        stream.catch_up(stream.READ_BUDGET)
    return build(unit, ask, level, only_user)


def build(unit: OrgUnit, ask: Ask, level: str, only_user: int | None = None) -> Table:
    """The table for ``unit`` (the caller checked access and rolled the stream up)."""
    views, total, frozen = _Builder(unit, ask.period, ask.adjusted).build(level, ask.role, only_user)
    rank(views)
    if ask.with_previous:
        _previous(unit, ask, level, only_user, views, total)
    return Table(unit, ask.period, level, sort_rows(views, ask.sort, ask.descending), total, frozen,
                 ask.period.as_of(), ask.adjusted, ask.role if level == "person" else None)


def _previous(unit: OrgUnit, ask: Ask, level: str, only_user, views: list[RowView], total: RowView) -> None:
    earlier, earlier_total, _frozen = _Builder(unit, ask.period.previous(), ask.adjusted).build(level, ask.role,
                                                                                                 only_user)
    rank(earlier)
    before = {v.row.key: {"composite": v.figures.composite, "rank": v.rank, "grade": v.figures.grade}
              for v in earlier}
    total.previous = {"composite": earlier_total.figures.composite, "rank": None, "grade": earlier_total.figures.grade,
                      "values": earlier_total.figures.values}
    for view in views:
        view.previous = before.get(view.row.key)


def indicator_meta(document: dict) -> list[dict]:
    return [{"id": i["id"], "name": doc.name_of(i), "name_en": i.get("name_en"), "kind": i["kind"],
             "levels": i.get("levels")} for i in doc.order(document.get("indicators") or [])]
