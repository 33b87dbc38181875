"""Keeping a case's task tree as small as its present, whatever its past.

SpiffWorkflow keeps every task a case ever ran: each step hangs its successor under the task
before it, so a loop run a thousand times is a chain thousands of tasks deep. Two things go wrong:

- the library's task iterator stops at depth 1000, *silently*: past it ``get_tasks(READY)`` finds
  nothing and ``is_completed()`` says True while a task is still ready (a looping case would be
  marked completed, or never run its next script). ``unlimited_depth`` removes that limit.
- every step walks and serialises the whole tree, so a step's cost grows with the case's history.
  ``compact`` cuts the finished past out of the tree after each step: dead branches (finished
  subtrees beside the live path) are dropped, and finished tasks in a chain are spliced out, so
  the live part hangs under the root with its immediate parents. What was cut is returned as
  counts per BPMN element, which the platform keeps for the diagram's completed marks; the audit
  trail keeps the rest.

What is kept, because the engine looks at it:

- the root and its direct children (the start), the workflow's ``last_task``, and the parent of
  every task that is not finished (tasks inherit their data from their parent when they become
  ready, and joins read their parent's spec and state);
- the instances of a join (parallel/inclusive gateway, boundary-event join) whose spec still has
  an unfinished instance in this round of a loop, with their parents (a waiting join counts the
  branches that arrived by their cancelled join instances); earlier rounds' instances and side
  branches go (see ``_Rounds``); every ancestor of an unfinished task that has more than one
  child stays (a boundary-event join finds its split among its ancestors);
- children of unfinished tasks (a multi-instance task counts its finished instances);
- everything, when any task is in ERROR or an engine task is still READY (not quiescent).
"""

import sys
from collections import Counter

from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskIterator, TaskState


def unlimited_depth() -> None:
    """Make the library's task iterators walk trees of any depth (their default stops at 1000)."""
    for cls in (TaskIterator, BpmnTaskIterator):
        init = cls.__init__
        names = init.__code__.co_varnames[: init.__code__.co_argcount]
        defaults = list(init.__defaults__)
        index = names.index("max_depth") - (len(names) - len(defaults))
        if defaults[index] not in (1000, sys.maxsize):
            raise RuntimeError(f"unexpected {cls.__name__} max_depth default {defaults[index]!r}")
        defaults[index] = sys.maxsize
        init.__defaults__ = tuple(defaults)


unlimited_depth()


def _finished(task) -> bool:
    return task.has_state(TaskState.FINISHED_MASK)


def _quiescent(workflow) -> bool:
    for task in workflow.tasks.values():
        if task.state == TaskState.ERROR:
            return False
        if task.state == TaskState.READY and not task.task_spec.manual:
            return False
    return True


def _live_ids(workflow) -> set:
    """Ids of unfinished tasks and all their ancestors."""
    live = set()
    for task in workflow.tasks.values():
        if _finished(task):
            continue
        current = task
        while current is not None and current.id not in live:
            live.add(current.id)
            current = current.parent
    return live


def _live_join_specs(workflow) -> set:
    return {t.task_spec for t in workflow.tasks.values() if isinstance(t.task_spec, Join) and not _finished(t)}


class _Rounds:
    """Loops pass the same join again and again; this tells which of a join's instances (and the
    side branches holding them) belong to the current round, which the engine's checks look at,
    and which are an earlier round's history, which only mislead it (a parallel join counts an
    earlier round's cancelled instances as arrivals; an inclusive join's search stops at the last
    round's instance).

    For each unfinished instance of a join spec, its anchor is where its round began: for a
    structured join (boundary events) the nearest ancestor instance of its split, which it
    searches below; for an unstructured one (gateways) the nearest ancestor instance of the same
    spec, the previous round's. The current round is the anchor's subtree (the split itself
    included, since a boundary join reads the split's children; the previous join instance
    excluded, since the engine skips ancestor instances). An instance with no anchor makes every
    instance of its spec current."""

    def __init__(self, workflow, live_joins: set):
        self.current: dict = {}  # spec -> ids of its current rounds, or None (all current)
        self.anchors: set = set()
        for spec in live_joins:
            rounds: set | None = set()
            for task in workflow.tasks.values():
                if task.task_spec is not spec or _finished(task):
                    continue
                anchor = _anchor(task)
                if anchor is None:
                    rounds = None
                    break
                rounds |= _subtree_ids(anchor)
                if spec.split_task is None:
                    rounds.discard(anchor.id)
                else:
                    self.anchors.add(anchor.id)
            self.current[spec] = rounds

    def earlier(self, task) -> bool:
        """``task`` is an instance (or holds one, as a branch root) of an earlier round."""
        rounds = self.current.get(task.task_spec, ())
        return rounds is not None and task.id not in rounds

    def earlier_branch(self, spec, parent) -> bool:
        rounds = self.current.get(spec, ())
        return parent is not None and rounds is not None and parent.id not in rounds


def _anchor(task):
    """Where the round of an unfinished join instance began (see _Rounds), walking up."""
    spec = task.task_spec
    target = spec.split_task
    current = task.parent
    while current is not None:
        if (current.task_spec.name == target) if target is not None else (current.task_spec is spec):
            return current
        current = current.parent
    return None


def _subtree_ids(task) -> set:
    found, stack = set(), [task]
    while stack:
        current = stack.pop()
        found.add(current.id)
        stack.extend(current.children)
    return found


def _loop_came_round(workflow) -> bool:
    """An unfinished gateway join has an earlier round's instance among its ancestors: the engine
    would be misled by that round's history from the next step on, so compact now."""
    return any(isinstance(task.task_spec, Join) and task.task_spec.split_task is None and not _finished(task)
               and _anchor(task) is not None for task in workflow.tasks.values())


class _Cut:
    def __init__(self, workflow):
        self.workflow = workflow
        self.top = workflow.top_workflow
        self.removed = Counter()

    def protected(self) -> set:
        wf = self.workflow
        keep = {wf.task_tree.id, *wf.task_tree._children}
        if wf.last_task is not None:
            keep.add(wf.last_task.id)
        for task in wf.tasks.values():
            if not _finished(task) and task.parent is not None:
                keep.add(task.parent.id)
        return keep

    def subtree(self, task) -> list:
        found, stack = [], [task]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(current.children)
        return found

    def drop(self, task) -> None:
        """Remove a finished leaf-or-subtree root from the tree (its subtree goes with it)."""
        parent = task.parent
        for member in self.subtree(task):
            self._forget(member)
        if parent is not None and task.id in parent._children:
            parent._children.remove(task.id)

    def splice(self, task) -> None:
        """Remove a finished task with one child, hanging the child under the task's parent."""
        parent, (child,) = task.parent, task.children
        position = parent._children.index(task.id)
        parent._children[position] = child.id
        child._parent = parent.id
        self._forget(task)

    def _forget(self, task) -> None:
        self.workflow.tasks.pop(task.id, None)
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id and task.state == TaskState.COMPLETED:
            self.removed[bpmn_id] += 1
        sub = self.top.subprocesses.pop(task.id, None)
        if sub is not None:
            for inner in list(sub.tasks.values()):
                self._forget_subprocess_task(inner)

    def _forget_subprocess_task(self, task) -> None:
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id and task.state == TaskState.COMPLETED:
            self.removed[bpmn_id] += 1
        sub = self.top.subprocesses.pop(task.id, None)
        if sub is not None:
            for inner in list(sub.tasks.values()):
                self._forget_subprocess_task(inner)


def _dead_removable(task, keep: set, live_joins: set, rounds: _Rounds, cut: _Cut) -> bool:
    for member in cut.subtree(task):
        if member.id in keep or not _finished(member):
            return False
        if member.task_spec in live_joins and not rounds.earlier_branch(member.task_spec, task.parent):
            return False
    return task.id not in rounds.anchors


def _spliceable(task, child, live_joins: set, rounds: _Rounds) -> bool:
    if not _finished(child) or task.id in rounds.anchors:
        return False
    if task.task_spec in live_joins and not rounds.earlier(task):
        return False
    return not (child.task_spec in live_joins and not rounds.earlier(child))


def _compact_one(workflow) -> Counter:
    cut = _Cut(workflow)
    live, live_joins, keep = _live_ids(workflow), _live_join_specs(workflow), cut.protected()
    rounds = _Rounds(workflow, live_joins)
    # Dead branches beside the live path, under finished parents only; a dead branch that holds
    # something to keep (a join instance of this round, an end join) loses what else it can.
    pending = [(task, child) for task in workflow.tasks.values() if _finished(task) and task.id in live
               for child in task.children if child.id not in live]
    while pending:
        parent, child = pending.pop()
        if child.id not in workflow.tasks:
            continue
        if _dead_removable(child, keep, live_joins, rounds, cut):
            cut.drop(child)
        elif _finished(child):
            pending.extend((child, grandchild) for grandchild in child.children)
    # Finished links in chains, whose single child is finished too.
    for task in list(workflow.tasks.values()):
        if task.id in keep or task.id not in workflow.tasks or not _finished(task):
            continue
        if task.parent is None or len(task._children) != 1:
            continue
        if _spliceable(task, task.children[0], live_joins, rounds):
            cut.splice(task)
    return cut.removed


COMPACT_ABOVE = 2.0  # compact once the tree holds this many tasks per task spec (and at least 64)


def _worth_it(workflow) -> bool:
    """A tree no bigger than its model (a linear case, a young one) costs nothing to keep. The
    model is the process and its running subprocesses; finished ones only add tasks."""
    running = [s for s in workflow.subprocesses.values() if not s.is_completed()]
    specs = len(workflow.spec.task_specs) + sum(len(s.spec.task_specs) for s in running)
    tasks = len(workflow.tasks) + sum(len(s.tasks) for s in workflow.subprocesses.values())
    return tasks > max(64, COMPACT_ABOVE * specs) or any(_loop_came_round(w) for w in [workflow, *running])


def compact(workflow) -> Counter:
    """Cut the finished past out of ``workflow`` and its running subprocesses; returns what was
    removed (completed task counts per BPMN element id). Does nothing unless the workflow is
    quiescent, unfinished and has grown past its model's size."""
    if not _worth_it(workflow) or workflow.is_completed():
        return Counter()
    workflows = [workflow, *workflow.subprocesses.values()]
    if not all(_quiescent(wf) for wf in workflows):
        return Counter()
    removed = Counter()
    removed.update(_compact_one(workflow))
    for sub in list(workflow.subprocesses.values()):
        if not sub.is_completed():
            removed.update(_compact_one(sub))
    return removed
