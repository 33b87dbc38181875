"""From facts to rollups: one batch of the facts stream.

Every fact adds its atom (kind, stage, role, verdict) at its own unit and actor on its local day,
and, the first time its kind occurs in a filed case, a distinct atom. The ledger rules of the
definitions say which facts file a case (``opened_by``: the case enters the ledger with its due
time from case data), which close it (``closed_by``), and which closings are on time or late.
Cases count at the case's unit, and for the person who reported them; the overdue time of a
case (from its due time until it closes) is a stock, so a case open and overdue at a period's end
counts in that period however late it is closed."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from ..extensions import db
from ..models import CaseFact, HumanTask, ProcessInstance
from ..org import tree
from . import atoms, periods
from .rollups import Increments
from .tables import NO_ACTOR, CaseEntry

COMPLETED_ON_TIME, COMPLETED_LATE = "completed_on_time", "completed_late"  # the platform's task facts


@dataclass
class FactRow:
    id: int
    at: datetime
    kind: str
    instance_id: int | None
    task_id: int | None
    process_key: str | None
    stage: str | None
    unit_id: int | None
    unit_path: str | None
    actor_id: int | None
    detail: dict | None
    role: str | None


def fetch(after_id: int, limit: int, also: list[int]) -> list[FactRow]:
    """Facts after ``after_id`` (and those with the ``also`` ids), in id order, with their task's role."""
    columns = (CaseFact.id, CaseFact.at, CaseFact.kind, CaseFact.instance_id, CaseFact.human_task_id,
               CaseFact.process_key, CaseFact.stage, CaseFact.unit_id, CaseFact.unit_path, CaseFact.actor_id,
               CaseFact.detail, HumanTask.role)
    base = select(*columns).outerjoin(HumanTask, HumanTask.id == CaseFact.human_task_id)
    rows = list(db.session.execute(base.where(CaseFact.id > after_id).order_by(CaseFact.id).limit(limit)))
    if also:
        rows += list(db.session.execute(base.where(CaseFact.id.in_(also))))
    return sorted((FactRow(*row) for row in rows), key=lambda f: f.id)


def _dig(data: dict, dotted: str):
    value = data
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _when(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


ENTRY_FIELDS = ("id", "instance_id", "process_key", "unit_id", "unit_path", "reporter_id", "category", "title",
                "filed_at", "due_at", "closed_at", "on_time", "closing", "overdue_day", "kinds")
CHANGING = ("closed_at", "on_time", "closing", "overdue_day", "kinds")


@dataclass
class Entry:
    """A case of the ledger while a batch works on it (written back with one statement per kind)."""

    id: int | None
    instance_id: int
    process_key: str
    unit_id: int
    unit_path: str
    reporter_id: int
    category: str | None
    title: str | None
    filed_at: datetime
    due_at: datetime | None
    closed_at: datetime | None = None
    on_time: bool | None = None
    closing: str | None = None
    overdue_day: object = None
    kinds: str = ""
    changed: bool = False


def entry_columns():
    return [getattr(CaseEntry, name) for name in ENTRY_FIELDS]


def load_entries(condition, limit: int | None = None, order=None) -> list[Entry]:
    query = select(*entry_columns()).where(condition)
    if order is not None:
        query = query.order_by(order)
    if limit is not None:
        query = query.limit(limit)
    return [Entry(*row) for row in db.session.execute(query)]


def credited(rules: dict, fact, detail: dict) -> bool:
    """Whether a fact (a ``FactRow`` or a ``CaseFact``) counts for its unit: the ledger's
    ``not_credited`` rules keep, say, the residents' verdict on a case away from a department
    that returned it as not its duty (the verdict belongs to those who handled it)."""
    for rule in rules.get("not_credited") or []:
        if rule.get("fact") != fact.kind:
            continue
        case = detail.get(rule["case_from"]) if rule.get("case_from") else fact.instance_id
        if isinstance(case, bool) or not isinstance(case, int):
            continue
        kinds = rule.get("unless_at")
        found = db.session.scalar(select(CaseFact.id).where(
            CaseFact.instance_id == case, CaseFact.unit_id == fact.unit_id,
            CaseFact.kind.in_([kinds] if isinstance(kinds, str) else list(kinds)), CaseFact.id < fact.id).limit(1))
        if found is not None:
            return False
    return True


@dataclass
class Batch:
    """One batch's working state: the ledger rules, the cases it touches, the increments."""

    rules: dict
    increments: Increments = field(default_factory=Increments)
    entries: dict[int, Entry] = field(default_factory=dict)
    zone: object = field(default_factory=periods.zone)

    @property
    def distinct(self) -> set[str]:
        return set(self.rules.get("distinct") or [])

    def day(self, moment: datetime):
        return periods.local_day(moment, self.zone)

    def load_entries(self, facts: list[FactRow]) -> None:
        ids = {f.instance_id for f in facts if f.instance_id is not None}
        if ids:
            for entry in load_entries(CaseEntry.instance_id.in_(ids)):
                self.entries[entry.instance_id] = entry

    def open_cases(self, facts: list[FactRow]) -> None:
        """Enter the cases these facts file (once each)."""
        wanted = {f.instance_id: f for f in reversed(facts)
                  if f.kind in self.rules["opened_by"] and f.instance_id is not None
                  and f.instance_id not in self.entries}
        processes = self.rules.get("processes")
        if not wanted:
            return
        rows = db.session.execute(
            select(ProcessInstance.id, ProcessInstance.org_unit_id, ProcessInstance.started_by_id,
                   ProcessInstance.process_key, ProcessInstance.data).where(ProcessInstance.id.in_(wanted)))
        for instance_id, unit_id, reporter_id, key, data in rows:
            if processes and key not in processes:
                continue
            self._enter(wanted[instance_id], instance_id, unit_id, reporter_id, key, data or {})

    def _enter(self, fact: FactRow, instance_id, unit_id, reporter_id, key, data: dict) -> None:
        unit = tree.ref_by_id(unit_id)
        category = next((v for v in (_dig(data, p) for p in self.rules.get("category_from") or [])
                         if isinstance(v, str) and v), None)
        title = data.get("title") if isinstance(data.get("title"), str) else None
        entry = Entry(None, instance_id, key, unit.id, unit.path, reporter_id or NO_ACTOR,
                      (category or "")[:100] or None, (title or "")[:300] or None, fact.at,
                      _when(data.get(self.rules["due_from"])))
        self.entries[instance_id] = entry
        self._case_flow(entry, fact.at, "filed")
        self._case_stock(entry, fact.at, "c|open", 1)
        if entry.due_at is not None:  # the unit's only (no one's own scorecard counts due dates)
            self.increments.flow(self.day(entry.due_at), entry.unit_id, entry.unit_path, None, atoms.case("due"))

    def _case_flow(self, entry: Entry, at: datetime, measure: str) -> None:
        self.increments.flow(self.day(at), entry.unit_id, entry.unit_path, entry.reporter_id, atoms.case(measure))

    def _case_stock(self, entry: Entry, at: datetime, atom: str, n: int) -> None:
        self.increments.stock(self.day(at), entry.unit_id, entry.unit_path, entry.reporter_id, atom, n)

    def add_fact(self, fact: FactRow) -> None:
        """The fact's own atoms, and what it does to its case in the ledger."""
        if fact.unit_id is None:
            return
        detail = fact.detail if isinstance(fact.detail, dict) else {}
        if not self.credited(fact, detail):
            return
        verdict = detail.get("verdict") if isinstance(detail.get("verdict"), str) else None
        score = detail.get("score")
        total = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else 0.0
        day = self.day(fact.at)
        self.increments.flow(day, fact.unit_id, fact.unit_path, fact.actor_id,
                             atoms.fact(fact.kind, fact.stage, fact.role, verdict), 1, total)
        entry = self.entries.get(fact.instance_id) if fact.instance_id is not None else None
        if entry is None:
            return
        if fact.kind in self.distinct:
            seen = set(filter(None, entry.kinds.split(",")))
            if fact.kind not in seen and len(entry.kinds) + len(fact.kind) < 990:
                entry.kinds, entry.changed = ",".join(sorted(seen | {fact.kind})), True
                self.increments.flow(day, fact.unit_id, fact.unit_path, fact.actor_id,
                                     atoms.fact(fact.kind, fact.stage, fact.role, verdict, first=True), 1, total)
        if fact.kind in self.rules["closed_by"] and entry.closed_at is None:
            self.close(entry, fact)

    def credited(self, fact: FactRow, detail: dict) -> bool:
        return credited(self.rules, fact, detail)

    def close(self, entry: Entry, fact: FactRow) -> None:
        entry.closed_at, entry.closing, entry.changed = fact.at, fact.kind, True
        late_by_time = entry.due_at is not None and fact.at > entry.due_at
        if fact.kind in self.rules.get("on_time", []):
            entry.on_time = True
        elif fact.kind in self.rules.get("late", []):
            entry.on_time = False
        else:
            entry.on_time = not late_by_time
        self._case_flow(entry, fact.at, "closed")
        self._case_flow(entry, fact.at, "closed_on_time" if entry.on_time else "closed_late")
        self._case_stock(entry, fact.at, "c|open", -1)
        if entry.overdue_day is None and late_by_time:
            entry.overdue_day = self.day(entry.due_at)
            self._case_stock(entry, entry.due_at, "c|overdue", 1)
        if entry.overdue_day is not None:
            self._case_stock(entry, fact.at, "c|overdue", -1)

    def save(self) -> None:
        """Write the new cases and the changes of the known ones."""
        table = CaseEntry.__table__
        new = [{k: getattr(e, k) for k in ENTRY_FIELDS if k != "id"} for e in self.entries.values() if e.id is None]
        if new:
            db.session.execute(insert(table), new)
        changed = [{"b_id": e.id, **{f"b_{k}": getattr(e, k) for k in CHANGING}}
                   for e in self.entries.values() if e.id is not None and e.changed]
        if changed:
            db.session.execute(update(table).where(table.c.id == bindparam("b_id"))
                               .values(**{k: bindparam(f"b_{k}") for k in CHANGING}), changed)
