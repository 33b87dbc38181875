"""Turning atoms into figures: counts, rates, banded scores, composites and grades, for many
subjects at once (formulas go to the engine once per indicator for all of them)."""

from dataclasses import dataclass, field

from . import document as doc
from . import formulas
from .atoms import Atom

MEASURE_ATOMS = {"open": "c|open", "overdue_open": "c|overdue"}


@dataclass
class Subject:
    """Who a row is about: a unit or a person, with their atoms and count adjustments."""

    key: str
    level: str
    roles: frozenset = frozenset()
    atoms: dict = field(default_factory=dict)  # atom -> [n, total]
    adjustments: dict = field(default_factory=dict)  # indicator id -> delta


@dataclass
class Figures:
    values: dict
    kinds: dict
    composite: float | None = None
    composite_id: str | None = None
    grade: str | None = None
    short: bool = False  # the primary composite's sample is below its min_count: 样本不足, not ranked

    def of_kind(self, kind: str) -> dict:
        return {k: v for k, v in self.values.items() if self.kinds.get(k) == kind}

    def scores(self) -> dict:
        return {k: v for k, v in self.values.items() if self.kinds.get(k) in ("score", "composite")}


def _texts(value) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def matches(item: dict, atom: Atom) -> bool:
    """Whether a count's selector takes this atom."""
    if "cases" in item:
        measure = item["cases"]
        return atom.source == "c" and f"c|{atom.kind}" == MEASURE_ATOMS.get(measure, f"c|{measure}")
    if "tasks" in item:
        if atom.source != "t":
            return False
    elif "facts" in item:
        if atom.source != ("f1" if item.get("distinct") else "f") or atom.kind not in _texts(item["facts"]):
            return False
    else:
        return False
    for key, value in (("stage", atom.stage), ("role", atom.role), ("verdict", atom.verdict)):
        wanted = _texts(item.get(key))
        if wanted is not None and value not in wanted:
            return False
    return True


def _clean(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _sum(values: dict, refs) -> float | None:
    refs = refs if isinstance(refs, list) else [refs]
    found = [values.get(ref) for ref in refs]
    return None if any(v is None for v in found) else sum(found)


def applies(item: dict, subject: Subject) -> bool:
    wanted = item.get("subject") or {}
    if subject.level not in (wanted.get("levels") or []):
        return False
    return subject.level != "person" or bool(set(wanted.get("roles") or []) & subject.roles)


class Calculator:
    """The figures of one definitions document."""

    def __init__(self, document: dict):
        self.document = document
        self.items = doc.order([i for i in document.get("indicators") or [] if isinstance(i, dict)])
        self.kinds = {i["id"]: i["kind"] for i in self.items}
        self.by_id = {i["id"]: i for i in self.items}

    def compute(self, subjects: list[Subject]) -> list[Figures]:
        keys = sorted({atom for s in subjects for atom in s.atoms})
        parsed = [(key, Atom.parse(key)) for key in keys]
        table = [{} for _ in subjects]
        for item in self.items:
            column = self._column(item, subjects, table, parsed)
            for values, subject, value in zip(table, subjects, column, strict=True):
                delta = subject.adjustments.get(item["id"])
                if delta and item["kind"] == "count":
                    value = (value or 0) + delta
                values[item["id"]] = _clean(value) if value is not None else None
        return [self._figures(values, subject) for values, subject in zip(table, subjects, strict=True)]

    def _column(self, item: dict, subjects, table, parsed) -> list:
        kind = item["kind"]
        if isinstance(item.get("formula"), str):
            found = formulas.evaluate(item["formula"], table)
            if kind == "composite":
                found = [v if applies(item, s) and not doc.sample_short(item, values) else None
                         for v, s, values in zip(found, subjects, table, strict=True)]
            return found
        if kind == "count":
            return self._counts(item, subjects, table, parsed)
        if kind == "rate":
            return [self._rate(item, values) for values in table]
        if kind == "score":
            return [self._banded(item, values.get(item["of"])) for values in table]
        return [self._composite(item, values, subject) for values, subject in zip(table, subjects, strict=True)]

    def _counts(self, item, subjects, table, parsed) -> list:
        if "sum" in item:
            found = []
            for values in table:
                plus, minus = _sum(values, item["sum"]), _sum(values, item.get("minus") or [])
                found.append(None if plus is None or minus is None else plus - minus)
            return found
        chosen = [key for key, atom in parsed if matches(item, atom)]
        slot = 1 if item.get("measure") == "sum" else 0
        return [sum(s.atoms[k][slot] for k in chosen if k in s.atoms) for s in subjects]

    @staticmethod
    def _rate(item: dict, values: dict) -> float | None:
        """A fraction in [0, 1]. Flows of one period can count different cases (a case filed last
        month and self-handled this one), so a numerator may pass its denominator: the rate then
        stops at 1 (the counts beside it still show both)."""
        numerator, denominator = _sum(values, item["numerator"]), _sum(values, item["denominator"])
        if numerator is None or not denominator:
            return None
        return min(max(numerator / denominator, 0.0), 1.0)

    @staticmethod
    def _banded(item: dict, value) -> float | None:
        if value is None:
            return None
        for threshold, points in item["bands"]:
            if value >= threshold:
                return points
        return item.get("else", 0)

    def term_value(self, term: dict, values: dict) -> float | None:
        """A composite term as points: a rate as a percentage, a score or count as it is."""
        value = values.get(term["indicator"])
        if value is None:
            return None
        points = value * 100 if self.kinds.get(term["indicator"]) == "rate" else value
        return 100 - points if term.get("invert") else points

    def _composite(self, item: dict, values: dict, subject: Subject) -> float | None:
        if not applies(item, subject) or doc.sample_short(item, values):
            return None
        weights = [(float(t["weight"]), self.term_value(t, values)) for t in item["terms"]]
        if item.get("missing", "skip") == "zero":
            weights = [(w, v if v is not None else 0.0) for w, v in weights]
        present = [(w, v) for w, v in weights if v is not None]
        weight_all, weight_present = sum(w for w, _ in weights), sum(w for w, _ in present)
        if not present or not weight_present:
            return None
        return round(sum(w * v for w, v in present) / weight_present * weight_all / 100, 4)

    def primary(self, subject: Subject) -> dict | None:
        composites = [i for i in self.items if i["kind"] == "composite" and applies(i, subject)]
        marked = [i for i in composites if i.get("primary")]
        return (marked or composites or [None])[0]

    def _figures(self, values: dict, subject: Subject) -> Figures:
        result = Figures(values, self.kinds)
        chosen = self.primary(subject)
        if chosen is not None:
            result.composite_id = chosen["id"]
            result.short = doc.sample_short(chosen, values)
            result.composite = values.get(chosen["id"])
            result.grade = doc.grade(result.composite, doc.grades_of(self.document, chosen))
        return result
