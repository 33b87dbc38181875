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

from sqlalchemy import select

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


@dataclass
class Batch:
    """One batch's working state: the ledger rules, the cases it touches, the increments."""

    rules: dict
    increments: Increments = field(default_factory=Increments)
    entries: dict[int, CaseEntry] = field(default_factory=dict)

    def load_entries(self, facts: list[FactRow]) -> None:
        ids = {f.instance_id for f in facts if f.instance_id is not None}
        if ids:
            for entry in db.session.execute(select(CaseEntry).where(CaseEntry.instance_id.in_(ids))).scalars():
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
        entry = CaseEntry(instance_id=instance_id, process_key=key, unit_id=unit.id, unit_path=unit.path,
                          reporter_id=reporter_id or NO_ACTOR, category=(category or "")[:100] or None,
                          title=(title or "")[:300] or None, filed_at=fact.at,
                          due_at=_when(data.get(self.rules["due_from"])), kinds="")
        db.session.add(entry)
        self.entries[instance_id] = entry
        self._case_flow(entry, fact.at, "filed")
        self._case_stock(entry, fact.at, "c|open", 1)
        if entry.due_at is not None:
            self._case_flow(entry, entry.due_at, "due")

    def _case_flow(self, entry: CaseEntry, at: datetime, measure: str) -> None:
        self.increments.flow(periods.local_day(at), entry.unit_id, entry.unit_path, entry.reporter_id,
                             atoms.case(measure))

    def _case_stock(self, entry: CaseEntry, at: datetime, atom: str, n: int) -> None:
        self.increments.stock(periods.local_day(at), entry.unit_id, entry.unit_path, entry.reporter_id, atom, n)

    def add_fact(self, fact: FactRow) -> None:
        """The fact's own atoms, and what it does to its case in the ledger."""
        if fact.unit_id is None:
            return
        detail = fact.detail if isinstance(fact.detail, dict) else {}
        verdict = detail.get("verdict") if isinstance(detail.get("verdict"), str) else None
        score = detail.get("score")
        total = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else 0.0
        day = periods.local_day(fact.at)
        self.increments.flow(day, fact.unit_id, fact.unit_path, fact.actor_id,
                             atoms.fact(fact.kind, fact.stage, fact.role, verdict), 1, total)
        entry = self.entries.get(fact.instance_id) if fact.instance_id is not None else None
        if entry is None:
            return
        seen = set(filter(None, entry.kinds.split(",")))
        if fact.kind not in seen and len(entry.kinds) + len(fact.kind) < 990:
            entry.kinds = ",".join(sorted(seen | {fact.kind}))
            self.increments.flow(day, fact.unit_id, fact.unit_path, fact.actor_id,
                                 atoms.fact(fact.kind, fact.stage, fact.role, verdict, first=True), 1, total)
        if fact.kind in self.rules["closed_by"] and entry.closed_at is None:
            self.close(entry, fact)

    def close(self, entry: CaseEntry, fact: FactRow) -> None:
        entry.closed_at, entry.closing = fact.at, fact.kind
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
            entry.overdue_day = periods.local_day(entry.due_at)
            self._case_stock(entry, entry.due_at, "c|overdue", 1)
        if entry.overdue_day is not None:
            self._case_stock(entry, fact.at, "c|overdue", -1)
