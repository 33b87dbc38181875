"""A draft's test run: the draft executed in a throw-away sandbox case.

The draft is compiled as deploy would and run by the engine (in its isolated workers, with the
script functions of the chosen unit, read-only), exactly as a case would run, but nothing of it
is a case: the engine state lives in the draft's ``test_run`` only, no task rows, inbox entries,
facts, notifications, timers or audit events are written, and node effects are not applied
(they are listed as what the case would do). The designer plays the ready tasks with sample data
(generated from each task's form, editable), fires timers, and sees the path on the diagram.
"""

from datetime import datetime, timedelta

from .. import clock, deployment, scripting, taskforms, uow
from ..cases.service import initiator
from ..engine import TaskNotReady, load_spec
from ..engine.isolation import Request
from ..errors import BundleInvalid, Conflict, InvalidInput
from ..models import User
from ..org import tree
from ..repository.instances import engine
from . import content_sha, coverage, files_of, open_draft, samples

MAX_STEPS = 200  # an automatic run plays at most this many tasks


def _compiled(draft):
    try:
        checked = deployment.check(coverage.instrument(files_of(draft)), locality=draft.locality or None,
                                   key=draft.key)
    except BundleInvalid as refused:
        raise BundleInvalid("the draft does not validate; fix it before a test run", refused.errors) from refused
    return checked.compiled


def _perform(compiled, run: dict | None, kind: str, args: dict, unit_code: str, now=None):
    loaded = load_spec(compiled.spec_json, compiled.manifest)
    state = (run or {}).get("state")
    request = Request(loaded, kind, args, state=(lambda: state) if state else None, now=now or clock.now())
    functions = scripting.functions_for(tree.require(unit_code))
    outcome, _worker = engine().perform(request, functions)
    return outcome


def _record(compiled, run: dict, outcome, label: str | None = None) -> dict:
    """Fold one outcome into the run: state, the path so far, what waits, what failed."""
    nodes = compiled.manifest.get("nodes") or {}
    path = list(run.get("path") or [])
    effects = list(run.get("effects") or [])
    rules = set(run.get("rules") or [])
    for event in outcome.events:
        if not event.bpmn_id:
            continue
        path.append(event.bpmn_id)
        rules |= coverage.hits(event.data)
        effect = (nodes.get(event.bpmn_id) or {}).get("effect")
        if effect:
            effects.append({"node": event.bpmn_id, "effect": effect})
    failure = outcome.failure.as_dict() if outcome.failure else None
    ready = [{"id": t.id, "bpmn_id": t.bpmn_id, "name": t.name, "lane": t.lane, "form": t.form,
              "sample": samples.for_form(_form(compiled, t.form), t.data, run.get("unit"))}
             for t in outcome.ready]
    timers = [{"task_id": t.task_id, "bpmn_id": t.bpmn_id, "name": t.name,
               "due_at": t.due_at.isoformat() if t.due_at else None} for t in outcome.timers]
    steps = list(run.get("steps") or [])
    if label:
        steps.append(label)
    status = "error" if failure else ("completed" if outcome.completed else "running")
    return {**run, "state": outcome.state, "path": path, "effects": effects, "ready": ready, "timers": timers,
            "waiting": [{"kind": w.kind, "name": w.name, "bpmn_id": w.bpmn_id, "correlation": w.correlation}
                        for w in outcome.waiting],
            "failure": failure, "status": status, "steps": steps, "rules": sorted(rules),
            "data": {k: v for k, v in (outcome.case_data or {}).items() if k != coverage.RULE_HIT}}


def _form(compiled, name: str | None) -> dict | None:
    return (compiled.manifest.get("forms") or {}).get(name or "")


def _save(draft_id: int, actor: User, run: dict | None):
    def act(work):
        draft = open_draft(draft_id, actor)
        draft.test_run = run
        return draft
    return uow.run(act)


def start(draft_id: int, actor: User, unit_code: str, data: dict) -> dict:
    """Start a test run of the draft in ``unit_code`` with start data ``data``."""
    draft = open_draft(draft_id, actor)
    if not isinstance(data, dict):
        raise InvalidInput("the start data must be a JSON object", {"data": ["not an object"]})
    tree.require(unit_code, "org_unit")
    compiled = _compiled(draft)
    outcome = _perform(compiled, None, "start", {"data": {**data, "initiator": initiator(actor)}}, unit_code)
    sha = content_sha(files_of(draft))
    run = _record(compiled, {"sha256": sha, "unit": unit_code, "started_at": clock.now().isoformat(),
                             "start_data": data, "covered": coverage.carried(draft.test_run, sha)}, outcome, "start")
    _save(draft_id, actor, run)
    return run


def _current(draft_id: int, actor: User):
    draft = open_draft(draft_id, actor)
    run = draft.test_run
    if not run or not run.get("state"):
        raise Conflict("no test run of this draft: start one")
    if run.get("sha256") != content_sha(files_of(draft)):
        raise Conflict("the draft changed since this test run started: start a new one")
    if run.get("status") != "running":
        raise Conflict(f"this test run is {run.get('status')}: start a new one")
    return draft, run, _compiled(draft)


def complete(draft_id: int, actor: User, task_id: str, data: dict) -> dict:
    """Play one ready task of the test run with ``data``."""
    if not isinstance(data, dict):
        raise InvalidInput("the task data must be a JSON object", {"data": ["not an object"]})
    _draft, run, compiled = _current(draft_id, actor)
    task = next((t for t in run.get("ready") or [] if t["id"] == task_id), None)
    if task is None:
        raise Conflict("that task is not ready in this test run")
    document = _form(compiled, task.get("form"))
    if document:
        data = taskforms.validate(document, data, run.get("data") or {})  # InvalidInput, per field
    outcome = _perform(compiled, run, "complete", {"task_id": task_id, "data": data}, run["unit"])
    run = _record(compiled, run, outcome, task["bpmn_id"])
    _save(draft_id, actor, run)
    return run


def fire_timers(draft_id: int, actor: User) -> dict:
    """Let the test run's clock pass the earliest pending timer (nothing waits for real time)."""
    _draft, run, compiled = _current(draft_id, actor)
    dues = [t["due_at"] for t in run.get("timers") or [] if t.get("due_at")]
    if not dues:
        raise Conflict("no timer is pending in this test run")
    at = datetime.fromisoformat(min(dues)) + timedelta(seconds=1)
    outcome = _perform(compiled, run, "advance", {"now": at.isoformat()}, run["unit"], now=at)
    run = _record(compiled, run, outcome, "timer")
    _save(draft_id, actor, run)
    return run


def deliver(draft_id: int, actor: User, kind: str, name: str, payload: dict) -> dict:
    """Send the test run a message or signal it waits for (a message carries the run's own
    correlation values), with ``payload`` as its data."""
    if not isinstance(payload, dict):
        raise InvalidInput("the payload must be a JSON object", {"data": ["not an object"]})
    _draft, run, compiled = _current(draft_id, actor)
    waiting = next((w for w in run.get("waiting") or [] if w["kind"] == kind and w["name"] == name), None)
    if waiting is None:
        raise Conflict(f"this test run does not wait for the {kind} {name!r}")
    args = {"name": name, "payload": payload}
    if kind == "message":
        args["correlation"] = waiting.get("correlation") or {}
    try:
        outcome = _perform(compiled, run, kind, args, run["unit"])
    except TaskNotReady as gone:
        raise Conflict(f"this test run does not wait for the {kind} {name!r}") from gone
    run = _record(compiled, run, outcome, f"{kind}:{name}")
    _save(draft_id, actor, run)
    return run


def auto(draft_id: int, actor: User) -> dict:
    """Play every ready task with its sample data until the run ends, fails or only waits."""
    run = open_draft(draft_id, actor).test_run or {}
    for _step in range(MAX_STEPS):
        if run.get("status") != "running" or not run.get("ready"):
            break
        task = run["ready"][0]
        run = complete(draft_id, actor, task["id"], task["sample"])
    return run


def clear(draft_id: int, actor: User) -> None:
    _save(draft_id, actor, None)


def start_sample(draft) -> dict:
    """Start data for a test run, from the start event's form."""
    try:
        compiled = _compiled(draft)
    except BundleInvalid:
        return {}
    start = compiled.manifest.get("start") or {}
    return samples.for_form(_form(compiled, start.get("form")), {}, None)


def unit_choices(locality: str | None, lang: str = "zh") -> tuple[list[tuple[str, str]], str]:
    """Where a test run can play: (code, name indented by depth) for every area unit in tree
    order, and a default (the first grid where the draft goes, else the first grid anywhere)."""
    areas = tree.units(kinds=["area"])
    where = tree.by_code(locality) if locality else None
    grids = [u for u in areas if u.level == "grid"]
    default = next((u for u in grids if where is None or u.is_within(where)), grids[0] if grids else None)
    top = min((u.depth for u in areas), default=0)
    return [(u.code, "　" * (u.depth - top) + u.name(lang)) for u in areas], default.code if default else ""
