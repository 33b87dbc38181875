"""Inbox query latency at county scale: 1,000,000 human tasks, 10,000 users.

The query is the inbox's first page: open tasks a user may act on (unclaimed in their roles'
scopes, or assigned to them), sorted by due time. It is timed alone (the SQL the service runs)
and as the whole service call (page plus the per-filter counts), for a sample of users of every
role, on SQLite and, with DATABASE_URL set, PostgreSQL. The query plan is printed for each.

Run:  python bench/inbox_query.py [--tasks 1000000] [--users 10000] [--samples 400]
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/inbox_query.py
(PostgreSQL runs in a throw-away database created on that server and dropped afterwards.)
"""

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from common import databases, scratch_database, table
from sqlalchemy import insert, select, text

from workflow_app import create_app
from workflow_app.cli import migrate_database
from workflow_app.extensions import db
from workflow_app.inbox import queries
from workflow_app.models import (
    HumanTask,
    OrgUnit,
    ProcessInstance,
    ProcessVersion,
    RoleAssignment,
    User,
)

ROLE_SHARE = (("grid_worker", 0.35, "grid"), ("grid_leader", 0.05, "grid"), ("community_staff", 0.30, "community"),
              ("community_head", 0.03, "community"), ("town_dispatcher", 0.12, "town"),
              ("town_leader", 0.02, "town"), ("department_staff", 0.12, "department"),
              ("department_head", 0.01, "department"))
NOW = datetime.now(UTC).replace(microsecond=0)


def _path(*ids: int) -> str:
    return "/" + "/".join(f"{i:08d}" for i in ids) + "/"


def build_org(towns=20, communities=10, grids=8, departments=50) -> dict[str, list[tuple[int, str]]]:
    rows, levels, next_id = [], {"county": [], "town": [], "community": [], "grid": [], "department": []}, [1]

    def add(code, level, parent_id, path_ids, kind="area"):
        unit_id = next_id[0]
        next_id[0] += 1
        path = _path(*path_ids, unit_id)
        rows.append({"id": unit_id, "code": code, "name_zh": code, "level": "county" if kind == "department" else level,
                     "kind": kind, "parent_id": parent_id, "path": path})
        levels[level].append((unit_id, path))
        return unit_id

    county = add("county", "county", None, [])
    for t in range(towns):
        town = add(f"t{t}", "town", county, [county])
        for c in range(communities):
            community = add(f"t{t}-c{c}", "community", town, [county, town])
            for g in range(grids):
                add(f"t{t}-c{c}-g{g}", "grid", community, [county, town, community])
    for d in range(departments):
        add(f"dept{d}", "department", county, [county], kind="department")
    db.session.execute(insert(OrgUnit), rows)
    return levels


def build_users(levels, count: int, rng) -> list[list[tuple[str, int]]]:
    """Users with one role each, spread like a real county; returns each user's (role, unit id)."""
    plan = [("grid_worker", "grid", 3), ("grid_leader", "grid", 1), ("community_staff", "community", 10),
            ("community_head", "community", 1), ("town_dispatcher", "town", 5), ("town_leader", "town", 2),
            ("department_staff", "department", 20), ("department_head", "department", 1)]
    specs = [(role, unit_id) for role, level, per in plan for unit_id, _ in levels[level] for _ in range(per)]
    while len(specs) < count:
        specs.append(("grid_worker", rng.choice(levels["grid"])[0]))
    specs = specs[:count]
    now = datetime.now(UTC)
    db.session.execute(insert(User), [{"id": i + 1, "username": f"u{i + 1}", "name": f"用户{i + 1}",
                                       "active": True, "created_at": now} for i in range(len(specs))])
    db.session.execute(insert(RoleAssignment), [{"user_id": i + 1, "role_code": role, "org_unit_id": unit}
                                                for i, (role, unit) in enumerate(specs)])
    return [[(role, unit)] for role, unit in specs]


def build_tasks(levels, count: int, users: int, rng, chunk=20000) -> None:
    version = {"id": 1, "key": "bench", "locality": "", "version": 1, "sha256": "0" * 64, "status": "active",
               "deployed_at": NOW, "spec_json": "{}", "manifest": {}}
    db.session.execute(insert(ProcessVersion), [version])
    instances = count // 5
    grids = levels["grid"]
    db.session.execute(insert(ProcessInstance), [
        {"id": i + 1, "process_key": "bench", "version_id": 1, "org_unit_id": rng.choice(grids)[0],
         "status": "running", "state": "{}", "revision": 1, "data": {}, "started_at": NOW, "updated_at": NOW}
        for i in range(instances)])
    roles = [r for r, _, _ in ROLE_SHARE]
    weights = [w for _, w, _ in ROLE_SHARE]
    level_of = {r: lvl for r, _, lvl in ROLE_SHARE}
    for start in range(0, count, chunk):
        rows = []
        for n in range(start, min(start + chunk, count)):
            role = rng.choices(roles, weights)[0]
            unit_id, path = rng.choice(levels[level_of[role]])
            is_open = rng.random() < 0.10
            due = None if rng.random() < 0.1 else NOW + timedelta(minutes=rng.randint(-14400, 14400))
            rows.append({"instance_id": n // 5 + 1, "engine_task_id": f"{n:036d}", "process_key": "bench",
                         "bpmn_id": "t", "name": "任务", "lane": role, "role": role, "scope_unit_id": unit_id,
                         "scope_path": path, "state": "open" if is_open else "completed",
                         "assignee_id": rng.randint(1, users) if is_open and rng.random() < 0.2 else None,
                         "title": f"事件{n}", "created_at": NOW, "due_at": due, "row_version": 1})
        db.session.execute(insert(HumanTask), rows)
        print(f"\r  tasks {min(start + chunk, count):>9,}/{count:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def _plan(kind: str, user) -> str:
    statement = (select(HumanTask.id).where(HumanTask.state == "open", queries.eligible_clause(user))
                 .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id).limit(20))
    sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if kind == "sqlite" else "EXPLAIN "
    lines = db.session.execute(text(prefix + str(sql))).all()
    return "\n".join(("    " + str(row[-1])) for row in lines)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def measure(kind: str, url: str, args, rng) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        migrate_database()
        began = time.perf_counter()
        levels = build_org()
        build_users(levels, args.users, rng)
        db.session.commit()
        build_tasks(levels, args.tasks, args.users, rng)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"  {kind}: loaded in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        sample_ids = rng.sample(range(1, args.users + 1), args.samples)
        sql_times, service_times, plans = [], [], {}
        for user_id in sample_ids:
            user = db.session.get(User, user_id)
            role = user.assignments[0].role_code
            query = queries.InboxQuery()
            began = time.perf_counter()
            db.session.execute(
                select(HumanTask.id).where(HumanTask.state == "open", queries.eligible_clause(user))
                .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id).limit(20)
            ).all()
            sql_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            queries.inbox(user, query)
            service_times.append(time.perf_counter() - began)
            if role not in plans:
                plans[role] = _plan(kind, user)
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return {"sql": _percentiles(sql_times), "service": _percentiles(service_times), "plans": plans}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--plans", action="store_true", help="print the query plan for each role")
    args = parser.parse_args()
    results, rows = {}, []
    for kind in databases():
        with scratch_database(kind) as url:
            results[kind] = measure(kind, url, args, random.Random(7))
        sql, service = results[kind]["sql"], results[kind]["service"]
        rows.append((kind, "inbox page SQL", f"{sql[0]:.2f}", f"{sql[1]:.2f}"))
        rows.append((kind, "service (page + counts)", f"{service[0]:.2f}", f"{service[1]:.2f}"))
    print(f"inbox_query: {args.tasks:,} tasks ({args.tasks // 10:,} open), {args.users:,} users, "
          f"{args.samples} users sampled\n")
    print(table(rows, ("database", "what", "p50 ms", "p95 ms")))
    for kind, result in results.items():
        if args.plans:
            for role, plan in result["plans"].items():
                print(f"\n{kind} plan for a {role}:\n{plan}")
    print("\nreproduce: python bench/inbox_query.py --tasks", args.tasks, "--users", args.users,
          "--samples", args.samples, "--plans  (set DATABASE_URL=postgresql://... to include PostgreSQL)")
    print(json.dumps({k: {"sql": v["sql"], "service": v["service"]} for k, v in results.items()}))


if __name__ == "__main__":
    main()
