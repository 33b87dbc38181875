"""Steps per second: raw SpiffWorkflow vs the naive persisted path vs the platform's completion service.

A step is one human task completed: restore the instance, complete the task, run the engine until it
waits, serialise, and (for the persisted paths) commit.

  raw              restore + complete + engine steps + serialise, in memory (stock serializer)
  bare persisted   the same plus one UPDATE + COMMIT of the whole JSON per step: a floor for any
                   persisted design, with no audit trail, no task rows and no authorisation
  platform naive   cases.service.complete() restoring spec and instance on every request:
                   the naive path (restore + complete + serialise + one commit per request)
  platform         cases.service.complete() as shipped: restored specs cached per version and
                   runs per (instance, revision); authorisation, form check, audit events,
                   human-task rows, timers and optimistic concurrency in one commit

Run:  python bench/engine_step.py [--instances 60] [--tasks 5]
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/engine_step.py
(PostgreSQL runs in a throw-away database created on that server and dropped afterwards.)
"""

import argparse
import json
import time

from common import databases, scratch_database, table
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, text


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


def _raw_setup(tasks: int):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(linear_bpmn(tasks), "linear.bpmn")
    spec = parser.get_spec("linear")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))
    return spec, serializer


def _raw_step(serializer, state: str, step: int) -> str:
    workflow = serializer.deserialize_json(state)
    [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
    task.data.update({f"answer_{step}": f"第{step}步的答复"})
    task.run()
    workflow.do_engine_steps()
    return serializer.serialize_json(workflow)


def _new_state(spec, serializer) -> str:
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    return serializer.serialize_json(workflow)


def bench_raw(instances: int, tasks: int) -> float:
    spec, serializer = _raw_setup(tasks)
    states = [_new_state(spec, serializer) for _ in range(instances)]
    began = time.perf_counter()
    for step in range(tasks):
        states = [_raw_step(serializer, state, step) for state in states]
    return instances * tasks / (time.perf_counter() - began)


def bench_naive(url: str, instances: int, tasks: int) -> float:
    spec, serializer = _raw_setup(tasks)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE naive_instance (id INTEGER PRIMARY KEY, state TEXT NOT NULL)"))
        for i in range(instances):
            conn.execute(text("INSERT INTO naive_instance VALUES (:i, :s)"),
                         {"i": i, "s": _new_state(spec, serializer)})
    began = time.perf_counter()
    for step in range(tasks):
        for i in range(instances):
            with engine.begin() as conn:
                state = conn.execute(text("SELECT state FROM naive_instance WHERE id = :i"), {"i": i}).scalar_one()
                conn.execute(text("UPDATE naive_instance SET state = :s WHERE id = :i"),
                             {"i": i, "s": _raw_step(serializer, state, step)})
    elapsed = time.perf_counter() - began
    engine.dispose()
    return instances * tasks / elapsed


def bench_platform(url: str, instances: int, tasks: int, cached: bool = True) -> float:
    from workflow_app import create_app, deployment
    from workflow_app.cases import service
    from workflow_app.cli import migrate_database
    from workflow_app.extensions import db
    from workflow_app.models import HumanTask
    from workflow_app.org import people, tree

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "WORKFLOW_CACHE_SIZE": 512 if cached else 0, "SPEC_CACHE": cached})
    with app.app_context():
        migrate_database()
        county = tree.save_unit(code="county", name_zh="县", level="county", parent=None)
        tree.save_unit(code="grid", name_zh="网格", level="grid", parent=county)
        user = people.save_user(username="worker", password="x")
        people.assign(user, "grid_worker", "grid")
        db.session.commit()
        deployment.deploy([("linear.bpmn", linear_bpmn(tasks))], actor=None)
        ids = [service.start("linear", "grid", {}, user).id for _ in range(instances)]
        db.session.remove()
    with app.app_context():
        user = people.get("worker")
        began = time.perf_counter()
        for _ in range(tasks):
            for instance_id in ids:
                task_id = db.session.query(HumanTask.id).filter_by(instance_id=instance_id, state="open").scalar()
                service.complete(task_id, {"answer": "答复"}, user)
        elapsed = time.perf_counter() - began
        db.session.remove()
        db.engine.dispose()
    return instances * tasks / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=60)
    parser.add_argument("--tasks", type=int, default=5)
    args = parser.parse_args()
    rows, results = [], {}
    raw = bench_raw(args.instances, args.tasks)
    rows.append(("raw SpiffWorkflow", "memory", f"{raw:8.1f}", "1.00", ""))
    for kind in databases():
        with scratch_database(kind) as url:
            bare = bench_naive(url, args.instances, args.tasks)
        with scratch_database(kind) as url:
            naive = bench_platform(url, args.instances, args.tasks, cached=False)
        with scratch_database(kind) as url:
            platform = bench_platform(url, args.instances, args.tasks)
        results[kind] = {"bare": bare, "naive": naive, "platform": platform}
        rows.append(("bare persisted", kind, f"{bare:8.1f}", f"{bare / raw:.2f}", ""))
        rows.append(("platform naive", kind, f"{naive:8.1f}", f"{naive / raw:.2f}", ""))
        rows.append(("platform", kind, f"{platform:8.1f}", f"{platform / raw:.2f}",
                     f"{platform / naive:.2f}x naive, {platform / bare:.2f}x bare"))
    print(f"engine_step: {args.tasks}-task linear process, {args.instances} instances, steps per second\n")
    print(table(rows, ("path", "database", "steps/s", "vs raw", "platform vs")))
    print("\nreproduce: python bench/engine_step.py --instances", args.instances, "--tasks", args.tasks,
          "  (set DATABASE_URL=postgresql://... to include PostgreSQL)")
    print(json.dumps({"raw": raw, **results}))


if __name__ == "__main__":
    main()
