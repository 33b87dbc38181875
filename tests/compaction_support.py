"""The harness of ``test_engine_compaction``: one case run twice, compacted and not.

``Twins`` starts a case as the normal ``ProcessRun`` (compacted after every step) and as
``Uncompacted`` (compaction switched off: SpiffWorkflow's own tree), applies each step to both after
restoring them from their stored state, and asserts that what can be seen of them is the same.
"""

import functools
import json
import random
from collections import Counter
from pathlib import Path

from workflow_app.engine import ProcessRun, compile_bundle, load_spec

MODELS = Path(__file__).resolve().parent / "models" / "engine"
COMPARED: Counter = Counter()  # steps compared per model, for reports


class Uncompacted(ProcessRun):
    """The reference: the platform's adapter with compaction switched off."""

    def compact(self) -> None:
        return None


@functools.cache
def loaded(*paths: str):
    files = [(Path(p).name, Path(p).read_bytes(), "dmn" if p.endswith(".dmn") else "bpmn") for p in paths]
    compiled = compile_bundle(files)
    return load_spec(compiled.spec_json, compiled.manifest)


def model(*names: str):
    return loaded(*(str(MODELS / n) for n in names))


def _canon(value) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _key(task) -> str:
    return _canon([task.bpmn_id, task.name, task.lane, task.data])


def view(run) -> dict:
    """Everything a person or the platform can see of a case."""
    return {
        "ready": sorted(_key(t) for t in run.ready_tasks()),
        "timers": sorted((t.bpmn_id, str(t.due_at), t.attached_to, t.interrupting) for t in run.pending_timers()),
        "data": _canon(run.case_data()),
        "completed": run.completed,
        "states": run.element_states(),
    }


def tree_size(run) -> int:
    workflow = run.workflow
    return len(workflow.tasks) + sum(len(sub.tasks) for sub in workflow.subprocesses.values())


class Twins:
    """One case, run compacted and uncompacted through the same steps and compared after each."""

    def __init__(self, loaded, data: dict, functions=None, max_tasks: int | None = None, reference: bool = True):
        self.loaded, self.functions, self.max_tasks = loaded, functions, max_tasks
        self.kinds = (ProcessRun, Uncompacted) if reference else (ProcessRun,)
        self.states: dict = {}
        self.steps = 0
        self.largest = 0
        self._apply(lambda run: run.advance(), start=data)

    # --- what both copies see ---------------------------------------------------------------
    @property
    def now(self) -> dict:
        return self.views[ProcessRun]

    def ready(self) -> list[tuple[str, str, dict]]:
        """(key, bpmn id, data) of each ready human task."""
        return [(k, *json.loads(k)[0::3]) for k in self.now["ready"]]

    def data(self) -> dict:
        return json.loads(self.now["data"])

    @property
    def completed(self) -> bool:
        return self.now["completed"]

    # --- steps -------------------------------------------------------------------------------
    def complete(self, key: str, payload: dict) -> None:
        """Complete the ready task whose (bpmn id, name, lane, data) is ``key`` in both copies."""

        def action(run):
            task = next(t for t in run.ready_tasks() if _key(t) == key)
            return run.complete(task.id, payload)

        self._apply(action)

    def advance(self) -> None:
        """What the timer sweeper does when a case is due: restore, fire due timers, run."""
        self._apply(lambda run: run.advance())

    def deliver(self, name: str, payload: dict) -> None:
        self._apply(lambda run: run.deliver_message(name, payload, {}))

    def retry(self, corrections: dict) -> None:
        self._apply(lambda run: run.retry(corrections))

    def reschedule(self, bpmn_id: str, due) -> None:
        """Move the waiting timer ``bpmn_id`` to ``due`` (an SLA extension)."""

        def action(run):
            timer = next(t for t in run.pending_timers() if t.bpmn_id == bpmn_id)
            run.reschedule_timer(timer.task_id, due)

        self._apply(action)

    def _apply(self, action, start: dict | None = None) -> None:
        results = {}
        for kind in self.kinds:
            if start is not None:
                run = kind.start(self.loaded, start, self.functions)
            else:
                run = kind.restore(self.loaded, self.states[kind], self.functions)
            failure = action(run)
            run.compact()  # what the platform does before it stores a step (a no-op for the reference)
            live = view(run)
            self.states[kind] = run.dump()
            done = [(e.bpmn_id, _canon(e.data)) for e in run.peek_events()]  # the platform's facts come from these
            results[kind] = (live, failure and failure.message, done)
            if kind is ProcessRun:
                stored = view(kind.restore(self.loaded, self.states[kind], self.functions))
                assert stored == live, "the stored compacted case differs from the one in memory"
                self.largest = max(self.largest, tree_size(run))
                self.cut = sum(run.history.values())  # tasks compacted away so far
                if self.max_tasks is not None:
                    assert tree_size(run) <= self.max_tasks, f"compacted tree has {tree_size(run)} tasks"
        compacted, reference = results[ProcessRun], results.get(Uncompacted, results[ProcessRun])
        assert compacted == reference, f"step {self.steps}: compaction changed what the case does"
        if len(self.kinds) > 1:
            COMPARED[self.loaded.manifest["key"]] += 1
        self.views = {kind: results[kind][0] for kind in self.kinds}
        self.failure = compacted[1]
        self.steps += 1


def pick(rng: random.Random, twins: Twins, allowed=None) -> tuple[str, str, dict]:
    """A random ready task (optionally among those ``allowed(bpmn_id, data)``): key, bpmn id, data."""
    tasks = [t for t in twins.ready() if allowed is None or allowed(t[1], t[2])]
    assert tasks, f"nothing to do at step {twins.steps}: {twins.now}"
    return rng.choice(tasks)


def drive(twins: Twins, policy, rng: random.Random, max_steps: int) -> Twins:
    while not twins.completed:
        assert twins.failure is None, f"step {twins.steps}: {twins.failure}"
        assert twins.steps < max_steps, f"not completed after {max_steps} steps"
        policy(twins, rng)
    return twins


class Case:
    """One compacted case driven by hand: complete tasks by BPMN id, look at what is ready."""

    def __init__(self, loaded, data: dict, functions=None):
        self.loaded, self.functions = loaded, functions
        run = ProcessRun.start(loaded, data, functions)
        self.failure = run.advance()
        self._store(run)

    def _store(self, run) -> None:
        run.compact()
        self.state = run.dump()

    @property
    def run(self) -> ProcessRun:
        return ProcessRun.restore(self.loaded, self.state, self.functions)

    def ready(self) -> list[tuple[str, object]]:
        return sorted((t.bpmn_id, t.data.get("round")) for t in self.run.ready_tasks())

    def do(self, bpmn_id: str, payload: dict) -> None:
        run = self.run
        task = next(t for t in run.ready_tasks() if t.bpmn_id == bpmn_id)
        self.failure = run.complete(task.id, payload(task.data) if callable(payload) else payload)
        self._store(run)
