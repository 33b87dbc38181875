"""A round's callback queue (回访队列): every sampled case with its title, its grid's name, the
callback's result so far and, while it waits, the open callback task that calls the resident.
The tasks of a round all sit in one case, so the queue reads that case's run once and takes each
open callback task's sampled case from its data."""

from sqlalchemy import select

from ..extensions import db
from ..models import HumanTask, ProcessInstance, RoundSample
from ..models.task import OPEN
from ..repository import instances as store
from . import rounds

CALLBACK = "callback"
MAX_TITLE = 200


def _open_tasks(instance_id: int | None) -> dict[int, int]:
    """Sampled case id -> the id of its open callback task."""
    if instance_id is None:
        return {}
    tasks = list(db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.bpmn_id == CALLBACK, HumanTask.state == OPEN)).scalars())
    if not tasks:
        return {}
    run = store.read_run(db.session.get(ProcessInstance, instance_id))
    found = {}
    for task in tasks:
        call = run.task_data(task.engine_task_id).get("call")
        if isinstance(call, dict) and isinstance(call.get("case_id"), int):
            found[call["case_id"]] = task.id
    return found


def _verdict(sample: RoundSample) -> str:
    if sample.called_at is None:
        return "pending"
    if not sample.reached:
        return "not_reached"
    return "mismatch" if sample.mismatch else "reached"


def callbacks(user, round_id: int) -> list[dict]:
    """The round's sampled cases in grid order, each with what its callback found so far."""
    row = rounds.readable(user, round_id)
    samples = list(db.session.execute(select(RoundSample).where(RoundSample.round_id == row.id)
                                      .order_by(RoundSample.grid_path, RoundSample.case_id)).scalars())
    titles = {}
    if samples:
        cases = db.session.execute(select(ProcessInstance).where(
            ProcessInstance.id.in_([s.case_id for s in samples]))).scalars()
        for case in cases:
            values = case.data or {}
            titles[case.id] = str(values.get("title") or values.get("description") or "")[:MAX_TITLE]
    tasks = _open_tasks(row.instance_id)
    return [{"case_id": s.case_id, "title": titles.get(s.case_id) or "", "grid_name": s.grid.name_zh,
             "state": _verdict(s), "satisfaction": s.satisfaction, "solved": s.solved, "called_at": s.called_at,
             "task_id": tasks.get(s.case_id)} for s in samples]


def steps(user, round_id: int) -> list[dict]:
    """The round's open tasks other than callbacks (the surveys, 结束本轮评估), with their titles."""
    row = rounds.readable(user, round_id)
    if row.instance_id is None:
        return []
    tasks = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == row.instance_id, HumanTask.bpmn_id != CALLBACK, HumanTask.state == OPEN)
        .order_by(HumanTask.id)).scalars()
    return [{"task_id": t.id, "name": t.name, "title": t.title, "closing": t.bpmn_id == "close_round"} for t in tasks]
