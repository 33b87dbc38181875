"""Retiring the engine state of a completed case (``flask retention``).

A completed case keeps its whole task tree: compaction (``compaction.py``) works on live cases
only, so a closed case still stores every task it ran (8-20 KB for a 事件处置 case). Nothing will
run again; what is still read is the diagram's marks (``ProcessRun.element_states``) and the
case's data (``ProcessRun.case_data``). ``retire`` keeps exactly those: the root (the data the
case started with) and the last task (the data it ended with), with every other completed task
counted into ``platform_history`` (the counts compaction already keeps for the marks). The
result restores like any state: ``element_states()`` and ``case_data()`` answer as before.
"""

from collections import Counter

from SpiffWorkflow.util.task import TaskState

from .runtime import ProcessRun
from .serializer import LoadedSpec


class NotRetirable(ValueError):
    """Only a completed workflow's state may be retired."""


def _count(counts: Counter, task) -> None:
    bpmn_id = getattr(task.task_spec, "bpmn_id", None)
    if bpmn_id and task.state == TaskState.COMPLETED:
        counts[bpmn_id] += 1


def retire(loaded: LoadedSpec, state_json: str) -> str:
    """The state of a completed case reduced to its root, its last task and the completed counts."""
    run = ProcessRun.restore(loaded, state_json)
    workflow = run.workflow
    if not workflow.is_completed():
        raise NotRetirable("the case has not completed")
    root, last = workflow.task_tree, workflow.last_task
    keep = {root.id} | ({last.id} if last is not None else set())
    counts = Counter(run.history)
    for sub in workflow.subprocesses.values():
        for task in sub.tasks.values():
            _count(counts, task)
    for task in workflow.tasks.values():
        if task.id not in keep:
            _count(counts, task)
    tasks = {root.id: root}
    root._children = []
    if last is not None and last is not root:
        data = last.data
        root._children = [last.id]
        last._parent, last._children = root.id, []
        last.data = data
        tasks[last.id] = last
    workflow.tasks = tasks
    workflow.subprocesses = {}
    run.history = counts
    return run.dump()
