"""Moving a waiting engine timer of a case (an SLA pause, resume or extension moves the task's
interrupting boundary timer with its clock)."""

from datetime import datetime

from ..models import HumanTask
from ..repository import instances as store
from . import sync


def move_task_timer(work, task: HumanTask, due: datetime, actor=None) -> None:
    """Reschedule the interrupting boundary timer of ``task`` (if it has one) to ``due``."""
    instance = task.instance
    timer = next((t for t in instance.timers if t.attached_to == task.bpmn_id and t.interrupting), None)
    if timer is None:
        return
    args = {"task_id": timer.engine_task_id, "due": due.isoformat()}
    outcome, worker = store.perform(instance, "reschedule", args, {})
    sync.apply(work, instance, outcome, actor=actor)
    store.remember(work, instance, outcome, worker)
