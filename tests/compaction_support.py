"""The harness of ``test_engine_compaction``: one case run twice, compacted and not.

``Twins`` starts a case as the normal ``ProcessRun`` (compacted after every step) and as
``Uncompacted`` (compaction switched off: SpiffWorkflow's own tree), applies each step to both after
restoring them from their stored state, and asserts that what can be seen of them is the same.
"""

import functools
import json
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from workflow_app.engine import ProcessRun, actions, compile_bundle, load_spec

MODELS = Path(__file__).resolve().parent / "models" / "engine"
COMPARED: Counter = Counter()  # steps compared per model, for reports
MAX_BYTES = 10_000_000


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


def view(run, outcome=None) -> dict:
    """Everything a person or the platform can see of a case (from ``outcome`` where it says)."""
    ready = outcome.ready if outcome else run.ready_tasks()
    timers = outcome.timers if outcome else run.pending_timers()
    return {
        "ready": sorted(_key(t) for t in ready),
        "timers": sorted((t.bpmn_id, str(t.due_at), t.attached_to, t.interrupting) for t in timers),
        "data": _canon(outcome.case_data if outcome else run.case_data()),
        "completed": outcome.completed if outcome else run.completed,
        "states": run.element_states(),
    }


def tree_size(run) -> int:
    workflow = run.workflow
    return len(workflow.tasks) + sum(len(sub.tasks) for sub in workflow.subprocesses.values())


class Twins:
    """One case, run compacted and uncompacted through the same steps and compared after each.

    Each step goes the platform's way (``engine.actions.perform``: act, check and store the state,
    take the step's events) on a copy restored from its stored state."""

    def __init__(self, loaded, data: dict, functions=None, max_tasks: int | None = None, reference: bool = True):
        self.loaded, self.functions, self.max_tasks = loaded, functions, max_tasks
        self.kinds = (ProcessRun, Uncompacted) if reference else (ProcessRun,)
        self.states: dict = {}
        self.steps = self.largest = self.cut = 0
        self._apply(lambda run: ("start", {}), start=data)

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
            return "complete", {"task_id": task.id, "data": payload}

        self._apply(action)

    def advance(self) -> None:
        """What the timer sweeper does when a case is due: restore, fire due timers, run."""
        self._apply(lambda run: ("advance", {"now": datetime.now(UTC).isoformat()}))

    def deliver(self, name: str, payload: dict) -> None:
        self._apply(lambda run: ("message", {"name": name, "payload": payload}))

    def retry(self, corrections: dict) -> None:
        self._apply(lambda run: ("retry", {"corrections": corrections}))

    def reschedule(self, bpmn_id: str, due: datetime) -> None:
        """Move the waiting timer ``bpmn_id`` to ``due`` (an SLA extension)."""

        def action(run):
            timer = next(t for t in run.pending_timers() if t.bpmn_id == bpmn_id)
            return "reschedule", {"task_id": timer.task_id, "due": due.isoformat()}

        self._apply(action)

    def _apply(self, action, start: dict | None = None) -> None:
        results = {kind: self._step(kind, action, start) for kind in self.kinds}
        compacted, reference = results[ProcessRun], results.get(Uncompacted, results[ProcessRun])
        assert compacted == reference, f"step {self.steps}: compaction changed what the case does"
        if len(self.kinds) > 1:
            COMPARED[self.loaded.manifest["key"]] += 1
        self.views = {kind: results[kind]["view"] for kind in self.kinds}
        self.failure = compacted["failure"]
        self.steps += 1

    def _step(self, kind, action, start: dict | None) -> dict:
        if start is not None:
            run = kind.start(self.loaded, start, self.functions)
        else:
            run = kind.restore(self.loaded, self.states[kind], self.functions)
        name, args = action(run)
        outcome = actions.perform(run, name, args, MAX_BYTES)
        self.states[kind] = outcome.state
        seen = view(run, outcome)
        if kind is Uncompacted:
            assert not run.history, "the reference was compacted: compaction no longer goes through compact()"
        else:
            stored = kind.restore(self.loaded, outcome.state, self.functions)
            assert view(stored) == seen, "the stored compacted case differs from the one in memory"
            self.largest = max(self.largest, tree_size(stored))
            self.cut = sum(stored.history.values())  # tasks compacted away so far
            if self.max_tasks is not None:
                assert tree_size(stored) <= self.max_tasks, f"compacted tree has {tree_size(stored)} tasks"
        return {
            "view": seen,
            "failure": outcome.failure and outcome.failure.message,
            "events": [(e.bpmn_id, _canon(e.data)) for e in outcome.events],  # the platform's facts come from these
            "fired": outcome.fired,
            "waiting": sorted((w.kind, w.name, w.bpmn_id) for w in outcome.waiting),
        }


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
    assert twins.cut > 0, "nothing was ever compacted: the scenario tested nothing"
    return twins


class Case:
    """One compacted case driven by hand: complete tasks by BPMN id, look at what is ready."""

    def __init__(self, loaded, data: dict, functions=None):
        self.loaded, self.functions = loaded, functions
        self._perform(ProcessRun.start(loaded, data, functions), "start", {})

    def _perform(self, run, kind: str, args: dict) -> None:
        outcome = actions.perform(run, kind, args, MAX_BYTES)
        self.failure, self.state = outcome.failure, outcome.state

    @property
    def run(self) -> ProcessRun:
        return ProcessRun.restore(self.loaded, self.state, self.functions)

    def ready(self) -> list[tuple[str, object]]:
        return sorted((t.bpmn_id, t.data.get("round")) for t in self.run.ready_tasks())

    def do(self, bpmn_id: str, payload: dict) -> None:
        run = self.run
        task = next(t for t in run.ready_tasks() if t.bpmn_id == bpmn_id)
        data = payload(task.data) if callable(payload) else payload
        self._perform(run, "complete", {"task_id": task.id, "data": data})
