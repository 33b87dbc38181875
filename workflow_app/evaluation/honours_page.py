"""What the honours page shows beside the roll: the nomination under way for the period (who holds
its open step) and, when nobody qualifies, the subjects closest to the thresholds with the
thresholds each one misses (by indicator name)."""

from sqlalchemy import select

from ..extensions import db
from ..indicators import periods, report
from ..models import HumanTask, ProcessInstance, User
from ..models.task import OPEN
from ..org import access, tree
from . import data as evaluation_data
from .honours import PROCESS

CLOSEST = 5


def _missing(thresholds: dict, view: report.RowView) -> list[dict]:
    missing = []
    for indicator, minimum in thresholds.items():
        if isinstance(minimum, bool) or not isinstance(minimum, int | float):
            continue
        value = view.figures.composite if indicator == "composite" else view.figures.values.get(indicator)
        if value is None or value < minimum:
            missing.append({"indicator": indicator, "value": value, "minimum": minimum})
    return missing


def _gap(missing: list[dict]) -> float:
    """How far a subject is from all its thresholds (relative shortfall; no figure counts as the whole)."""
    return sum(1.0 if m["value"] is None else (m["minimum"] - m["value"]) / (m["minimum"] or 1) for m in missing)


def closest(user: User, unit, period: periods.Period) -> list[dict]:
    """Per kind of honour, the few subjects nearest to meeting every threshold, and what they miss."""
    rules = evaluation_data.section(unit, "honours")
    subjects = rules.get("subjects") if isinstance(rules.get("subjects"), dict) else {}
    found = []
    for kind, subject in subjects.items():
        if not isinstance(subject, dict) or not isinstance(subject.get("thresholds"), dict):
            continue
        level = subject.get("level") if subject.get("level") in report.LEVELS else "grid"
        role = subject.get("role") if isinstance(subject.get("role"), str) else None
        table = report.table(user, report.Ask(unit.code, period, level, role, with_previous=False))
        near = []
        for view in table.rows:
            missing = _missing(subject["thresholds"], view)
            if missing:
                near.append({"title": str(subject.get("name") or kind), "name": view.row.name,
                             "unit_name": view.row.unit.name_zh, "composite": view.figures.composite,
                             "missing": missing, "gap": _gap(missing)})
        near.sort(key=lambda n: (n["gap"], n["name"]))
        found.extend(near[:CLOSEST])
    return found


def nomination(unit, period: periods.Period) -> dict | None:
    """The latest nomination case of the period at this unit: its state and the open steps."""
    rows = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == PROCESS, ProcessInstance.org_unit_id == unit.id)
        .order_by(ProcessInstance.id.desc())).scalars()
    case = next((r for r in rows if isinstance(r.data, dict) and r.data.get("period") == period.key), None)
    if case is None:
        return None
    tasks = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.state == OPEN)
                               .order_by(HumanTask.id)).scalars().all()
    steps = []
    for task in tasks:
        scope = tree.ref_by_id(task.scope_unit_id) if task.scope_unit_id else None
        steps.append({"name": task.name, "task_id": task.id,
                      "unit_name": scope.name_zh if scope else None})
    return {"id": case.id, "status": case.status, "steps": steps}


def may_nominate(user: User, unit) -> bool:
    return access.capable(user, access.SUPERVISE, unit)
