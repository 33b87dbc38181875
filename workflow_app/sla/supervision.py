"""The supervisors' view (督查): breached and at-risk tasks and cases in an org subtree, counts per
child unit and per stage, age and times over the limit (超时倍数), and the breach history.

A unit supervises the tasks scoped in its subtree and, on its own cases, the tasks of the
departments and outside bodies it summoned (镇街吹哨、部门报到): those sit under the county, yet
count on the case's town (and on the department's own board)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from .. import clock
from ..calendar import limits
from ..errors import Forbidden
from ..extensions import db
from ..models import CaseFact, HumanTask, OrgUnit, ProcessInstance, User
from ..models.task import OPEN
from ..org import access, tree
from ..repository import definitions
from . import counts
from .counts import SUMMONED_KINDS

MAX_PAGE, MAX_PER_PAGE = 10_000, 200
COLOURS = {"red": ("red",), "yellow": ("yellow",), "at_risk": ("yellow", "red"), "all": ("green", "yellow", "red",
                                                                                       "paused")}


def scope(user: User, code: str | None) -> OrgUnit:
    """The unit ``code`` (default: the root) if ``user`` supervises it, else Forbidden."""
    unit = tree.require(code, "org_unit") if code else tree.root_unit()
    if not access.capable(user, access.OVERSEE, unit):
        raise Forbidden(f"{user.username} does not supervise {unit.code}")
    return unit


def _summons_outside(unit: OrgUnit) -> bool:
    """Whether any unit a case may summon (departments, outside bodies) sits outside ``unit``'s subtree."""
    outside = select(OrgUnit.id).where(OrgUnit.kind.in_(SUMMONED_KINDS), ~tree.within(OrgUnit.path, unit.path))
    return db.session.scalar(outside.limit(1)) is not None


def in_unit(unit: OrgUnit):
    """Open tasks ``unit`` supervises: scoped in its subtree, or summoned units' tasks on its cases
    (where every summoned unit is in the subtree already, as under a county, the subtree is all)."""
    here = tree.within(HumanTask.scope_path, unit.path)
    if not _summons_outside(unit):
        return here
    own_cases = select(ProcessInstance.id).join(OrgUnit, OrgUnit.id == ProcessInstance.org_unit_id).where(
        tree.within(OrgUnit.path, unit.path))
    summoned = select(OrgUnit.id).where(OrgUnit.kind.in_(SUMMONED_KINDS))
    return or_(here, and_(HumanTask.scope_unit_id.in_(summoned), HumanTask.instance_id.in_(own_cases)))


@dataclass
class BreachView:
    task: HumanTask
    age_hours: float
    over_limit: float | None

    def __getattr__(self, name):
        return getattr(self.task, name)


def breaches(user: User, code: str | None, colour: str = "at_risk", stage: str | None = None,
             page: int = 1, per_page: int = 50) -> tuple[list[BreachView], int]:
    unit, now = scope(user, code), clock.now()
    page, per_page = min(max(page, 1), MAX_PAGE), min(max(per_page, 1), MAX_PER_PAGE)  # offsets the db takes
    query = select(HumanTask).where(HumanTask.state == OPEN, in_unit(unit), HumanTask.sla_state.in_(COLOURS[colour]))
    if stage:
        query = query.where(HumanTask.stage == stage)
    total = counts.total(unit, COLOURS[colour], stage or None)  # the kept counts, not a count of the tasks
    rows = db.session.execute(query.order_by(HumanTask.due_at, HumanTask.id)
                              .offset((page - 1) * per_page).limit(per_page)).scalars().all()
    views = [BreachView(t, round((now - t.created_at).total_seconds() / 3600, 2),
                        limits.overdue_multiple(t, now, tree.ref_by_id(t.scope_unit_id))) for t in rows]
    return views, total


def _empty() -> dict:
    return {"open": 0, "green": 0, "yellow": 0, "red": 0, "paused": 0, "none": 0, "cases": 0}


BREAKDOWNS = ("child", "stage", "process_key", "total")


def _counted(unit: OrgUnit) -> dict[str, dict]:
    """Open-task counts per SLA colour and distinct cases, per child unit, stage, process and in
    all, for the tasks ``unit`` supervises, from the kept counts (sla.counts; summoned
    departments' tasks count in the totals only)."""
    found: dict[str, dict] = {name: {} for name in BREAKDOWNS}
    for child, stage, process, colour, n in counts.tallies(unit):
        for by, key in (("child", child), ("stage", stage), ("process_key", process), ("total", "")):
            entry = found[by].setdefault(key, _empty())
            entry["open"] += n
            entry[colour or "none"] += n
            entry["cases"] += n  # one case per task, less the repeats below
    for by, repeats in counts.repeated_cases(unit, len(unit.path) + 9).items():
        for key, n in repeats.items():
            if key in found[by]:
                found[by][key]["cases"] -= n
    return found


def summary(user: User, code: str | None) -> dict:
    """Counts for the unit, per child unit (for drill-down) and per stage."""
    unit = scope(user, code)
    counted = _counted(unit)
    by_child, totals = counted["child"], counted["total"].get("", _empty())
    children = db.session.execute(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.path))
    child_rows = [{"code": c.code, "name": c.name_zh, "level": c.level, "type": c.kind,
                   **by_child.get(c.path, _empty())} for c in children.scalars()]
    stages = [{"stage": k, **v} for k, v in sorted(counted["stage"].items(), key=lambda kv: str(kv[0]))]
    return {"org_unit": unit.code, "name": unit.name_zh, "totals": totals, "children": child_rows, "stages": stages,
            "processes": _by_process(counted["process_key"])}


def _by_process(counts: dict) -> list[dict]:
    """Open-task counts per process (event handling beside the service day and its visits…)."""
    names = {v.key: v.name for v in definitions.summaries() if not v.locality}
    return [{"process_key": key, "name": names.get(key) or key, **value}
            for key, value in sorted(counts.items(), key=lambda kv: str(kv[0]))]


def cases(user: User, code: str | None, colour: str = "at_risk") -> list[dict]:
    unit = scope(user, code)
    worst = func.max(case((HumanTask.sla_state == "red", 2), (HumanTask.sla_state == "yellow", 1), else_=0))
    rows = db.session.execute(
        select(HumanTask.instance_id, func.min(HumanTask.title), func.min(HumanTask.title_en),
               func.min(HumanTask.process_key), worst, func.count(), func.min(HumanTask.due_at))
        .where(HumanTask.state == OPEN, in_unit(unit), HumanTask.sla_state.in_(COLOURS[colour]))
        .group_by(HumanTask.instance_id).order_by(func.min(HumanTask.due_at)).limit(500)
    ).all()
    return [{"instance_id": i, "title": t, "title_en": t_en, "process_key": p, "worst": ("green", "yellow", "red")[w],
             "tasks": n, "earliest_due": d} for i, t, t_en, p, w, n, d in rows]


def history(user: User, code: str | None, since: datetime | None = None, until: datetime | None = None,
            kinds: tuple[str, ...] = ("sla_yellow", "sla_red")) -> list[CaseFact]:
    unit = scope(user, code)
    query = select(CaseFact).where(tree.within(CaseFact.unit_path, unit.path), CaseFact.kind.in_(kinds))
    if since:
        query = query.where(CaseFact.at >= since)
    if until:
        query = query.where(CaseFact.at < until)
    return list(db.session.execute(query.order_by(CaseFact.at.desc()).limit(1000)).scalars())
