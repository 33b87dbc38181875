"""Steps per second: raw SpiffWorkflow, a bare persisted loop, and the platform, compared fairly.

A step is one human task completed: load the case, complete the task, run the engine until it
waits, save. Every path does the same work with the same settings:

  raw SpiffWorkflow   restore from state text (spec kept apart, restored once), complete, run the
                      engine, serialise: in memory
  bare persisted      the raw step plus SELECT + UPDATE + COMMIT of the state on one connection, with
                      the platform's durability settings (SQLite WAL, synchronous=NORMAL; PostgreSQL's
                      defaults): a floor for any persisted design (no audit, no task rows, no checks)
  platform            cases.service.complete() as shipped: engine in worker processes, audit trail,
                      task rows, facts, authorisation, form checks, optimistic concurrency, one commit
                      (the time counted is the service's own, not the harness's task lookup).
                      ``--workers N`` spreads the steps over N processes at once, so a process's caches
                      hit about as often as they would under N gunicorn workers (1 in N), not always;
                      steps/s is then all steps over the busiest process's time.

``--history`` also measures how a completion's cost grows with the case's history: a loop model
completed 500 times, timing completions 5-15 against 445-455 (the platform compacts finished
history, so the cost stays flat; the raw engine without compaction slows down).

Run:  python bench/engine_step.py [--instances 40] [--tasks 5] [--workers 1] [--history]
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/engine_step.py --workers 2
(PostgreSQL runs in a throw-away database created on that server and dropped afterwards.)
"""

import argparse
import json
import multiprocessing
import statistics
import time

from common import databases, scratch_database, table
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, event, text

from workflow_app.engine import ProcessRun, compile_bundle, load_spec


def linear_bpmn(tasks: int) -> bytes:
    nodes = "".join(f'<bpmn:userTask id="t{i}" name="第{i}步"/>' for i in range(1, tasks + 1))
    ids = ["start", *[f"t{i}" for i in range(1, tasks + 1)], "end"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in ids)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="b">'
        '<bpmn:process id="linear" name="线性流程" isExecutable="true">'
        f'<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="grid_worker">{refs}</bpmn:lane></bpmn:laneSet>'
        f'<bpmn:startEvent id="start"/>{nodes}<bpmn:endEvent id="end"/>{flows}'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


def loop_bpmn() -> bytes:
    """A task done again and again (rework): work -> count -> gateway -> back to work."""
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in ("start", "work", "count", "gw", "end"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="b">'
        '<bpmn:process id="looping" name="返工循环" isExecutable="true">'
        f'<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="grid_worker">{refs}</bpmn:lane></bpmn:laneSet>'
        '<bpmn:startEvent id="start"/><bpmn:userTask id="work" name="办理"/>'
        '<bpmn:scriptTask id="count"><bpmn:script>rounds = rounds + 1</bpmn:script></bpmn:scriptTask>'
        '<bpmn:exclusiveGateway id="gw" default="out"/><bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="count"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="gw"/>'
        '<bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="work">'
        '<bpmn:conditionExpression>not done</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="out" sourceRef="gw" targetRef="end"/>'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


def _loaded(model: bytes, key: str):
    compiled = compile_bundle([(f"{key}.bpmn", model, "bpmn")], key)
    return load_spec(compiled.spec_json, compiled.manifest)


def _raw_step(loaded, state: str, data: dict) -> str:
    """Restore, complete the ready task, run the engine, serialise: the library alone (no compaction)."""
    run = ProcessRun.restore(loaded, state)
    [task] = run.workflow.get_tasks(state=TaskState.READY, manual=True)
    task.data.update(data)
    task.run()
    run.workflow.refresh_timers()
    run.workflow.do_engine_steps()
    return run.dump()


def _new_state(loaded, data=None) -> str:
    run = ProcessRun.start(loaded, data or {})
    run.advance()
    return run.dump()


def bench_raw(instances: int, tasks: int) -> float:
    loaded = _loaded(linear_bpmn(tasks), "linear")
    states = [_new_state(loaded) for _ in range(instances)]
    began = time.perf_counter()
    for step in range(tasks):
        states = [_raw_step(loaded, state, {f"answer_{step}": "答复"}) for state in states]
    return instances * tasks / (time.perf_counter() - began)


def _same_durability(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def bench_bare(url: str, instances: int, tasks: int) -> float:
    loaded = _loaded(linear_bpmn(tasks), "linear")
    engine = create_engine(url)
    _same_durability(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bare_instance (id INTEGER PRIMARY KEY, state TEXT NOT NULL)"))
        for i in range(instances):
            conn.execute(text("INSERT INTO bare_instance VALUES (:i, :s)"), {"i": i, "s": _new_state(loaded)})
    began = time.perf_counter()
    for step in range(tasks):
        for i in range(instances):
            with engine.begin() as conn:
                state = conn.execute(text("SELECT state FROM bare_instance WHERE id = :i"), {"i": i}).scalar_one()
                conn.execute(text("UPDATE bare_instance SET state = :s WHERE id = :i"),
                             {"i": i, "s": _raw_step(loaded, state, {f"answer_{step}": "答复"})})
    elapsed = time.perf_counter() - began
    engine.dispose()
    return instances * tasks / elapsed


_APP = {}


def _config(url: str) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SECRET_KEY": "bench-" + "s" * 40, "ENGINE_WORKERS": 2}


def _setup_platform(url: str, model: bytes, instances: int, data: dict) -> list[int]:
    from workflow_app import create_app, deployment
    from workflow_app.cases import service
    from workflow_app.cli import migrate_database
    from workflow_app.extensions import db
    from workflow_app.org import people, tree

    app = create_app(_config(url))
    with app.app_context():
        migrate_database()
        county = tree.save_unit(code="county", name_zh="县", level="county", parent=None)
        tree.save_unit(code="grid", name_zh="网格", level="grid", parent=county)
        user = people.save_user(username="worker", password="x")
        people.assign(user, "grid_worker", "grid")
        db.session.commit()
        deployment.deploy([("model.bpmn", model)], actor=None)
        key = "linear" if b'id="linear"' in model else "looping"
        ids = [service.start(key, "grid", data, user).id for _ in range(instances)]
        db.session.remove()
        db.engine.dispose()
    return ids


def _worker_init(url: str) -> None:
    from workflow_app import create_app

    _APP["app"] = create_app(_config(url))


def _complete_one(args) -> float:
    instance_id, data = args
    from workflow_app.cases import service
    from workflow_app.extensions import db
    from workflow_app.models import HumanTask
    from workflow_app.org import people

    with _APP["app"].app_context():
        user = people.get("worker")
        task_id = db.session.query(HumanTask.id).filter_by(instance_id=instance_id, state="open").scalar()
        began = time.perf_counter()
        service.complete(task_id, data, user)
        spent = time.perf_counter() - began
        db.session.remove()
    return spent


def _share(args) -> float:
    """One process's share of the steps: step k of case i goes to the process that a hash of (i, k)
    names, so a process holds the run it cached for its next step about 1 time in N, as under N
    gunicorn workers. Returns the seconds spent in the completion service (not in the harness)."""
    url, ids, tasks, index, workers, barrier = args
    _worker_init(url)
    spent = 0.0
    for step in range(1, tasks):
        for instance_id in ids:
            if hash((instance_id, step)) % workers == index:
                spent += _complete_one((instance_id, {f"answer_{step}": "答复"}))
        barrier.wait()
    return spent


def bench_platform(url: str, instances: int, tasks: int, workers: int) -> float:
    ids = _setup_platform(url, linear_bpmn(tasks), instances, {})
    _worker_init(url)
    for instance_id in ids:  # step 0 warms this process (the other processes warm on their first steps)
        _complete_one((instance_id, {"answer_0": "答复"}))
    if workers == 1:
        spent = sum(_complete_one((i, {f"answer_{step}": "答复"})) for step in range(1, tasks) for i in ids)
        return instances * (tasks - 1) / spent
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(workers)
        with context.Pool(workers) as pool:
            spent = pool.map(_share, [(url, ids, tasks, p, workers, barrier) for p in range(workers)])
    return instances * (tasks - 1) / max(spent)


def bench_history(url: str, rounds: int = 500) -> dict:
    """Milliseconds per completion early and late in a long-looping case."""
    loaded = _loaded(loop_bpmn(), "looping")
    raw_times, state = [], _new_state(loaded, {"rounds": 0})
    for i in range(rounds):
        began = time.perf_counter()
        state = _raw_step(loaded, state, {"done": False})
        raw_times.append(time.perf_counter() - began)
        if i > 330:  # past the engine's silent depth limit it would stop finding the task
            break
    ids = _setup_platform(url, loop_bpmn(), 1, {"rounds": 0})
    _worker_init(url)
    platform_times = [_complete_one((ids[0], {"done": i == rounds - 1})) for i in range(rounds)]

    def ms(values, a, b):
        return statistics.median(values[a:b]) * 1000

    return {"raw_early_ms": ms(raw_times, 5, 16), "raw_late_ms": ms(raw_times, 320, 331),
            "platform_early_ms": ms(platform_times, 5, 16), "platform_late_ms": ms(platform_times, 445, 456)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=40)
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="platform requests spread over N processes")
    parser.add_argument("--history", action="store_true", help="also time completions early and late in a loop")
    args = parser.parse_args()
    rows, results = [], {}
    raw = bench_raw(args.instances, args.tasks)
    rows.append(("raw SpiffWorkflow", "memory", f"{raw:8.1f}", "", ""))
    for kind in databases():
        with scratch_database(kind) as url:
            bare = bench_bare(url, args.instances, args.tasks)
        with scratch_database(kind) as url:
            platform = bench_platform(url, args.instances, args.tasks, args.workers)
        results[kind] = {"bare": bare, "platform": platform, "platform_vs_bare": platform / bare}
        rows.append(("bare persisted", kind, f"{bare:8.1f}", f"{bare / raw:.2f}", ""))
        rows.append((f"platform, {args.workers} process(es)", kind, f"{platform:8.1f}", f"{platform / raw:.2f}",
                     f"{platform / bare:.2f}"))
        if args.history:
            with scratch_database(kind) as url:
                results[kind]["history"] = bench_history(url)
    print(f"engine_step: {args.tasks}-task linear process, {args.instances} instances, steps per second\n")
    print(table(rows, ("path", "database", "steps/s", "vs raw", "platform / bare")))
    for kind, found in results.items():
        if "history" in found:
            h = found["history"]
            print(f"\n{kind}: completion cost in a looping case, ms (median of 11):"
                  f" platform at step 10 {h['platform_early_ms']:.2f}, at step 450 {h['platform_late_ms']:.2f}"
                  f" ({h['platform_late_ms'] / h['platform_early_ms']:.2f}x);"
                  f" raw engine without compaction at 10 {h['raw_early_ms']:.2f}, at 325 {h['raw_late_ms']:.2f}"
                  f" ({h['raw_late_ms'] / h['raw_early_ms']:.2f}x)")
    print("\nreproduce: python bench/engine_step.py --instances", args.instances, "--tasks", args.tasks,
          "--workers", args.workers, "--history" if args.history else "",
          "  (set DATABASE_URL=postgresql://... to include PostgreSQL)")
    print(json.dumps({"raw": raw, **results}))


if __name__ == "__main__":
    main()
