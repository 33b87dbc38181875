"""Timers fired per second by the scheduler, with one node and with two nodes sharing the work.

N cases wait on a timer that fell due an hour ago; `flask scheduler --once` processes (1, then 2
at the same time, on fresh copies) fire them all. Each node reports the seconds it spent
sweeping, so process start-up is not counted; the rate is timers / the slowest node's time.
SQLite has a single writer, so a second node mostly waits there; PostgreSQL nodes split the work
with FOR UPDATE SKIP LOCKED.

Run:  python bench/timer_sweep.py [--timers 2000]
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/timer_sweep.py
"""

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import time_machine
from common import ROOT, databases, scratch_database, table
from sqlalchemy import func, select

from tests.bulk import clone, waiter_model
from workflow_app import create_app, demo, deployment
from workflow_app.cases import service
from workflow_app.cli import migrate_database
from workflow_app.extensions import db
from workflow_app.models import AuditEvent
from workflow_app.org import people

SECRET = "bench-" + "s" * 40


def prepare(url: str, count: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SECRET_KEY": SECRET})
    with app.app_context():
        migrate_database()
        demo.seed_org()
        demo.seed_users()
        db.session.commit()
        deployment.deploy([("waiter.bpmn", waiter_model())], actor=None)
        with time_machine.travel(datetime.now(UTC) - timedelta(hours=2), tick=False):
            template = service.start("waiter", "dc-dm-01", {}, people.get("worker-dc-dm-01")).id
        clone(template, count - 1)
        db.session.remove()
        db.engine.dispose()


def fired(url: str) -> int:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        total = db.session.scalar(select(func.count()).where(AuditEvent.kind == "timer_fired"))
        db.session.remove()
        db.engine.dispose()
    return total


def run_nodes(url: str, nodes: int) -> list[dict]:
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "SECRET_KEY": SECRET}
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "workflow_app", "scheduler", "--once"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
             for _ in range(nodes)]
    return [json.loads(p.communicate(timeout=1800)[0].strip().splitlines()[-1]) for p in procs]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timers", type=int, default=2000)
    args = parser.parse_args()
    rows, results = [], {}
    for kind in databases():
        for nodes in (1, 2):
            with scratch_database(kind) as url:
                prepare(url, args.timers)
                reports = run_nodes(url, nodes)
                total = fired(url)
            slowest = max(r["seconds"] for r in reports)
            rate = total / slowest
            results[f"{kind}/{nodes}"] = {"fired": total, "seconds": slowest, "per_second": rate,
                                          "shares": [r["fired"] for r in reports]}
            shares = "/".join(str(r["fired"]) for r in reports)
            rows.append((kind, nodes, total, f"{slowest:.1f}", f"{rate:.0f}", shares))
    print(f"timer_sweep: {args.timers} due timers\n")
    print(table(rows, ("database", "nodes", "fired", "seconds", "timers/s", "per node")))
    print("\nreproduce: python bench/timer_sweep.py --timers", args.timers,
          " (set DATABASE_URL=postgresql://... to include PostgreSQL)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
