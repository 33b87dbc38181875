"""Turning task clocks yellow and red as time passes, exactly once each, even with several
scheduler nodes: the change is a conditional UPDATE, and only the node whose UPDATE hit the row
records the fact and notifies the leaders."""

from sqlalchemy import and_, select, update
from sqlalchemy.orm import joinedload

from .. import audit, clock, facts, uow
from ..extensions import db
from ..models import HumanTask
from ..models.task import OPEN_SQL
from . import counts, notify, wording


def _turn(colour: str, when_column, from_states: tuple[str, ...], now, limit: int) -> list[int]:
    candidates = select(HumanTask.id).where(
        HumanTask.state == OPEN_SQL, HumanTask.sla_state.in_(from_states), when_column <= now
    ).order_by(when_column).limit(limit)
    ids = list(db.session.execute(candidates.with_for_update(skip_locked=True)).scalars())
    if not ids:
        return []
    changed = db.session.execute(
        update(HumanTask)
        .where(and_(HumanTask.id.in_(ids), HumanTask.sla_state.in_(from_states), HumanTask.state == OPEN_SQL))
        .values(sla_state=colour, row_version=HumanTask.row_version + 1)
        .returning(HumanTask.id),
        execution_options={"synchronize_session": False},
    ).scalars().all()
    return list(changed)


def _announce(task_ids: list[int], colour: str) -> None:
    """Facts, audit and the leaders' notifications for the tasks that just changed colour: one
    query for the tasks (with their cases), one for each distinct (leader role, scope)."""
    tasks = db.session.execute(
        select(HumanTask).options(joinedload(HumanTask.instance)).where(HumanTask.id.in_(task_ids))
        .execution_options(populate_existing=True)).scalars().all()
    leaders: dict = {}
    for task in tasks:
        facts.record(f"sla_{colour}", task=task, instance=task.instance,
                     detail={"due_at": task.due_at.isoformat() if task.due_at else None})
        audit.record(f"sla_{colour}", task=task, instance=task.instance)
        key = (task.role, task.scope_path)
        if key not in leaders:
            leaders[key] = notify.leaders_of(task)
        notify.send(leaders[key], _message(task, colour))


def _message(task: HumanTask, colour: str) -> notify.Message:
    """The leaders' notice of a task that turned ``colour``, by its step and case title in each language."""
    said = wording.params(f"sla_{colour}", step=wording.both(task.name, (task.properties or {}).get("name_en")),
                          ratio="80%", title=wording.both(task.title, task.title_en))
    title, _body = wording.render(said, "zh")
    return notify.Message(f"sla_{colour}", title, task=task, params=said)


def sweep(now=None, limit: int = 500) -> dict:
    """One pass: green -> yellow at warn time, green/yellow -> red at due time; then the
    supervisors' counts take in the changes since the last pass (their deltas are folded)."""
    now = now or clock.now()

    def action(work):
        red = _turn("red", HumanTask.due_at, ("green", "yellow"), now, limit)
        yellow = _turn("yellow", HumanTask.warn_at, ("green",), now, limit)
        if red:
            _announce(red, "red")
        if yellow:
            _announce(yellow, "yellow")
        return {"yellow": len(yellow), "red": len(red), "counts_folded": counts.fold()}

    return uow.run(action)
