"""What stands behind a figure: the facts, cases and tasks a count sums, the counts a rate
divides, the terms a composite weighs, and the adjustments made to it.

The lists select exactly what the rollups count (the same local days, the same stock rule: a
case or task overdue from the day it fell due to the day it ended), from the raw tables."""

from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import CaseFact, HumanTask, User
from ..org import tree
from . import document as doc
from . import ledger, periods, versions, words, words_en
from .tables import CaseEntry, TaskOverdue

LIMIT = 200
SCAN = 5000


class Scope:
    """Whose figures: a unit's subtree, or one person (with their unit)."""

    def __init__(self, path: str, person_id: int | None, period: periods.Period):
        self.path, self.person_id, self.period = path, person_id, period
        self.start, self.end = period.starts_at, period.ends_at
        today = periods.local_day(period.as_of())
        self.bound = period.end if period.closed() else today + timedelta(days=1)

    def where(self, path_column, actor_column):
        if self.person_id is not None:
            return and_(actor_column == self.person_id, tree.within(path_column, self.path))
        return tree.within(path_column, self.path)


def _texts(value) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _names(ids: set[int]) -> dict[int, tuple[str, str]]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.username, User.name).where(User.id.in_(ids)))
    return {i: (u, n) for i, u, n in rows}


def _unit(unit_id) -> dict:
    if unit_id is None:
        return {"unit": None, "unit_name": None}
    ref = tree.ref_by_id(unit_id)
    return {"unit": ref.code, "unit_name": ref.name_zh}


def facts(item: dict, scope: Scope) -> tuple[list[dict], int]:
    query = (select(CaseFact, HumanTask.role).outerjoin(HumanTask, HumanTask.id == CaseFact.human_task_id)
             .where(CaseFact.kind.in_(_texts(item["facts"])), CaseFact.at >= scope.start, CaseFact.at < scope.end,
                    scope.where(CaseFact.unit_path, CaseFact.actor_id)))
    if _texts(item.get("stage")):
        query = query.where(CaseFact.stage.in_(_texts(item["stage"])))
    if _texts(item.get("role")):
        query = query.where(HumanTask.role.in_(_texts(item["role"])))
    if item.get("distinct"):
        earlier = aliased(CaseFact)
        query = query.where(exists().where(CaseEntry.instance_id == CaseFact.instance_id),
                            ~exists().where(earlier.instance_id == CaseFact.instance_id, earlier.kind == CaseFact.kind,
                                            earlier.id < CaseFact.id))
    verdicts = _texts(item.get("verdict"))
    rows = db.session.execute(query.order_by(CaseFact.at, CaseFact.id).limit(SCAN)).all()
    if verdicts is not None:
        rows = [r for r in rows if (r[0].detail or {}).get("verdict") in verdicts]
    rules = doc.ledger_rules(versions.ledger_document())
    if any(rule.get("fact") in _texts(item["facts"]) for rule in rules.get("not_credited") or []):
        rows = [r for r in rows if ledger.credited(rules, r[0], r[0].detail if isinstance(r[0].detail, dict) else {})]
    people = _names({r[0].actor_id for r in rows[:LIMIT]})
    titles = _titles({r[0].instance_id for r in rows[:LIMIT]})
    listed = [{"fact_id": f.id, "at": f.at, "kind": f.kind, "kind_words": words.FACT_WORDS.get(f.kind, f.kind),
               "kind_words_en": words_en.FACT_WORDS_EN.get(f.kind, f.kind), "stage": f.stage, **_unit(f.unit_id),
               "actor": people.get(f.actor_id, (None, None))[0], "actor_name": people.get(f.actor_id, (None, None))[1],
               "case_id": f.instance_id, "title": titles.get(f.instance_id), "role": role,
               "verdict": (f.detail or {}).get("verdict")} for f, role in rows[:LIMIT]]
    return listed, len(rows)


def _titles(ids: set) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    found = dict(db.session.execute(
        select(CaseEntry.instance_id, CaseEntry.title).where(CaseEntry.instance_id.in_(ids))).all())
    missing = ids - set(found)
    if missing:
        for instance_id, title in db.session.execute(
                select(HumanTask.instance_id, func.min(HumanTask.title)).where(HumanTask.instance_id.in_(missing))
                .group_by(HumanTask.instance_id)):
            found[instance_id] = title
    return found


def _case_filter(measure: str, scope: Scope):
    start, end = scope.start, scope.end
    bound_at = periods.day_start(scope.bound)
    still_open = or_(CaseEntry.closed_at.is_(None), CaseEntry.closed_at >= bound_at)
    flows = {
        "filed": and_(CaseEntry.filed_at >= start, CaseEntry.filed_at < end),
        "due": and_(CaseEntry.due_at >= start, CaseEntry.due_at < end),
        "closed": and_(CaseEntry.closed_at >= start, CaseEntry.closed_at < end),
        "closed_on_time": and_(CaseEntry.closed_at >= start, CaseEntry.closed_at < end, CaseEntry.on_time.is_(True)),
        "closed_late": and_(CaseEntry.closed_at >= start, CaseEntry.closed_at < end, CaseEntry.on_time.is_(False)),
        "open": and_(CaseEntry.filed_at < bound_at, still_open),
        "overdue_open": and_(CaseEntry.overdue_day.is_not(None), CaseEntry.overdue_day < scope.bound, still_open),
    }
    return flows[measure]


def cases(item: dict, scope: Scope) -> tuple[list[dict], int]:
    condition = and_(_case_filter(item["cases"], scope), scope.where(CaseEntry.unit_path, CaseEntry.reporter_id))
    total = db.session.scalar(select(func.count()).select_from(CaseEntry).where(condition)) or 0
    rows = db.session.execute(select(CaseEntry).where(condition).order_by(CaseEntry.due_at, CaseEntry.id)
                              .limit(LIMIT)).scalars().all()
    people = _names({r.reporter_id for r in rows})
    return [{"case_id": r.instance_id, "title": r.title, "category": r.category, **_unit(r.unit_id),
             "reporter": people.get(r.reporter_id, (None, None))[0],
             "reporter_name": people.get(r.reporter_id, (None, None))[1], "filed_at": r.filed_at, "due_at": r.due_at,
             "closed_at": r.closed_at, "on_time": r.on_time} for r in rows], total


def tasks(item: dict, scope: Scope) -> tuple[list[dict], int]:
    condition = and_(TaskOverdue.start_day < scope.bound,
                     or_(TaskOverdue.end_day.is_(None), TaskOverdue.end_day >= scope.bound),
                     scope.where(TaskOverdue.unit_path, TaskOverdue.actor_id))
    query = select(HumanTask).join(TaskOverdue, TaskOverdue.task_id == HumanTask.id).where(condition)
    if _texts(item.get("stage")):
        query = query.where(HumanTask.stage.in_(_texts(item["stage"])))
    if _texts(item.get("role")):
        query = query.where(HumanTask.role.in_(_texts(item["role"])))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(HumanTask.due_at).limit(LIMIT)).scalars().all()
    people = _names({r.assignee_id for r in rows})
    return [{"task_id": r.id, "name": r.name, "stage": r.stage, **_unit(r.scope_unit_id), "case_id": r.instance_id,
             "title": r.title, "assignee": people.get(r.assignee_id, (None, None))[0], "due_at": r.due_at,
             "completed_at": r.completed_at} for r in rows], total


def listing(item: dict, scope: Scope) -> dict:
    """The raw rows behind a count (none for sums and formulas: their parts are listed)."""
    if "facts" in item:
        rows, total = facts(item, scope)
        return {"facts": rows, "total": total}
    if "cases" in item:
        rows, total = cases(item, scope)
        return {"cases": rows, "total": total}
    if "tasks" in item:
        rows, total = tasks(item, scope)
        return {"tasks": rows, "total": total}
    return {}

