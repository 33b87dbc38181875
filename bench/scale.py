"""A city's year: 1,000,000 cases and 20,000,000 audit rows, then the read paths timed.

Seeds in bulk, server-side (``INSERT … SELECT generate_series``): the bench county's org tree
(20 towns × 10 communities × 8 grids, 50 departments, 10,000 users: bench/inbox_query.py), the
shipped 小事快办 process deployed for real, 1,000,000 cases spread over the last 12 months (85 %
completed), 1,000,000 tasks (the running cases' open ones, some red or yellow), 20,000,000 audit
rows (20 per case) and 2,000,000 case facts, into monthly partitions made for that year
(``wf_partitions_ensure``, as an operator importing history would); the supervisors' counts come
from the ``human_task`` triggers, folded once as the scheduler's SLA job does. Then it times, as the services
run them (p50/p95 over ``--samples`` calls each): the inbox (first page with counts) of sampled
users, the case page's read model (case, tasks, timeline) of random cases, the supervisors' summary
and red list at county and town, and the indicators' trend, if workflow_app/indicators is present.

PostgreSQL only (the partitioned production set-up): DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres
python bench/scale.py [--cases 1000000] [--audit 20000000] [--samples 200]
(a throw-away database is created on that server and dropped afterwards)
"""

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import ROOT, postgres_url, scratch_database, table
from inbox_query import _percentiles, build_org, build_users
from sqlalchemy import insert, select, text

from workflow_app import create_app, deployment
from workflow_app.cli import migrate_database
from workflow_app.extensions import db
from workflow_app.models import RoleAssignment, User
from workflow_app.sla import counts

TARGET_MS = 50.0


def _array(values) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]"


def _paths(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


def seed(levels, args) -> int:
    """The bulk rows; returns the id of the county supervisor."""
    folder = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "processes" / "minor_event", folder / "minor_event")
    deployment.deploy_directory(None, str(folder), str(ROOT / "forms"))
    shutil.rmtree(folder, ignore_errors=True)
    version_id = db.session.execute(text("SELECT id FROM process_version WHERE key = 'minor_event'")).scalar_one()
    supervisor = db.session.execute(select(text("max(id) + 1")).select_from(User)).scalar_one()
    db.session.execute(insert(User), [{"id": supervisor, "username": "bench-supervisor", "name": "县级督查",
                                       "active": True, "created_at": datetime.now(UTC)}])
    db.session.execute(insert(RoleAssignment), [{"user_id": supervisor, "role_code": "county_supervisor",
                                                 "org_unit_id": levels["county"][0][0]}])
    for table_name in ("audit_event", "case_fact"):
        db.session.execute(text("SELECT wf_partitions_ensure(:t, (now() - interval '12 months')::date, 16)"),
                           {"t": table_name})
    db.session.commit()
    grids = [g for g, _ in levels["grid"]]
    community_of = {path: (cid, path) for cid, path in levels["community"]}
    communities = [community_of["/".join(path.split("/")[:4]) + "/"] for _, path in levels["grid"]]
    n = len(grids)
    params = {"v": version_id, "cases": args.cases}
    began = time.perf_counter()
    db.session.execute(text(f"""
        INSERT INTO process_instance (id, process_key, version_id, org_unit_id, status, state, revision, data,
                                      started_at, updated_at, ended_at)
        SELECT g, 'minor_event', :v, ({_array(grids)})[1 + g % {n}],
               CASE WHEN g % 100 < 85 THEN 'completed' ELSE 'running' END, '{{}}', 1,
               '{{"category": "environment", "severity": "general", "description": "事件' || g || '"}}',
               now() AT TIME ZONE 'UTC' - make_interval(days => g % 365, mins => g % 1440),
               now() AT TIME ZONE 'UTC' - make_interval(days => g % 365),
               CASE WHEN g % 100 < 85 THEN now() AT TIME ZONE 'UTC' - make_interval(days => g % 365) END
        FROM generate_series(1, :cases) g"""), params)
    db.session.execute(text("SELECT setval('process_instance_id_seq', :cases)"), params)
    db.session.execute(text(f"""
        INSERT INTO human_task (instance_id, engine_task_id, process_key, bpmn_id, name, lane, role, scope_unit_id,
                                scope_path, state, title, created_at, due_at, sla_state, row_version)
        SELECT g, lpad(g::text, 36, '0'), 'minor_event', 'community_handle', '社区处置', '社区工作者',
               'community_staff',
               ({_array(c for c, _ in communities)})[1 + g % {n}], ({_paths(p for _, p in communities)})[1 + g % {n}],
               CASE WHEN g % 100 < 85 THEN 'completed' ELSE 'open' END, '事件' || g,
               now() AT TIME ZONE 'UTC' - make_interval(days => g % 365),
               now() AT TIME ZONE 'UTC' + make_interval(hours => (g % 97) - 30),
               CASE WHEN g % 100 >= 85 THEN (ARRAY['green', 'green', 'yellow', 'red'])[1 + g % 4] END, 1
        FROM generate_series(1, :cases) g"""), params)
    db.session.commit()
    print(f"  cases and tasks: {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    chunk = 2_000_000
    for start in range(0, args.audit, chunk):
        db.session.execute(text("""
            INSERT INTO audit_event (at, kind, actor, instance_id, task_name, subject)
            SELECT now() AT TIME ZONE 'UTC' - make_interval(days => (1 + (g - 1) / 20) % 365, mins => (g % 20) * 7),
                   (ARRAY['instance_started', 'task_created', 'task_claimed', 'task_commented', 'task_completed',
                          'timer_fired', 'task_urged', 'instance_completed'])[1 + g % 8],
                   'u' || (1 + g % 10000), 1 + (g - 1) / 20, '社区处置', NULL
            FROM generate_series(:a, :b) g"""), {"a": start + 1, "b": min(args.audit, start + chunk)})
        db.session.commit()
        print(f"  audit rows {min(args.audit, start + chunk):>11,}: {time.perf_counter() - began:.0f} s",
              file=sys.stderr, flush=True)
    db.session.execute(text(f"""
        INSERT INTO case_fact (at, kind, instance_id, process_key, stage, unit_id, unit_path)
        SELECT now() AT TIME ZONE 'UTC' - make_interval(days => ((g + 1) / 2) % 365),
               (ARRAY['sla_yellow', 'sla_red', 'closed_on_time', 'closed_late'])[1 + g % 4], (g + 1) / 2,
               'minor_event', '社区处置', ({_array(c for c, _ in communities)})[1 + g % {n}],
               ({_paths(p for _, p in communities)})[1 + g % {n}]
        FROM generate_series(1, :facts) g"""), {"facts": args.cases * 2})
    db.session.commit()
    folded = counts.fold()  # the supervisors' counts: the triggers' deltas folded, as the SLA job does
    db.session.commit()
    print(f"  supervision counts: {folded:,} deltas folded: {time.perf_counter() - began:.0f} s", file=sys.stderr,
          flush=True)
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(f"  seeded in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    return supervisor


def _time(fn, samples: int) -> tuple[float, float]:
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
        db.session.rollback()
    return _percentiles(times)


def measure(args, supervisor_id: int, levels, rng) -> list[tuple]:
    from workflow_app.cases import views
    from workflow_app.inbox import queries
    from workflow_app.sla import supervision

    supervisor = db.session.get(User, supervisor_id)
    users = [db.session.get(User, uid) for uid in rng.sample(range(1, args.users + 1), min(args.samples, args.users))]
    county = db.session.execute(text("SELECT code FROM org_unit WHERE level = 'county' LIMIT 1")).scalar_one()
    town = db.session.execute(text("SELECT code FROM org_unit WHERE level = 'town' LIMIT 1")).scalar_one()
    picks = iter(users * 10)
    rows = [("inbox (first page + counts)", *_time(lambda: queries.inbox(next(picks), queries.InboxQuery()),
                                                    args.samples))]
    rows.append(("case page (case, tasks, timeline)",
                 *_time(lambda: views.instance_detail(rng.randint(1, args.cases), supervisor), args.samples)))
    rows.append(("supervision summary (county)", *_time(lambda: supervision.summary(supervisor, county), 20)))
    rows.append(("supervision summary (town)", *_time(lambda: supervision.summary(supervisor, town), args.samples)))
    rows.append(("supervision red list (county)",
                 *_time(lambda: supervision.breaches(supervisor, county, "red"), 20)))
    try:
        from workflow_app.indicators import service as indicators
    except ImportError:
        rows.append(("indicators", "not present", "", ""))
        return [(*r[:3], "") if len(r) == 3 else r for r in rows]
    try:
        from workflow_app.indicators import stream, versions

        versions.deploy_directory(str(ROOT / "processes"))
        db.session.commit()
        began = time.perf_counter()
        progress = stream.catch_up(max_seconds=args.rollup_seconds, wait=False)
        db.session.commit()
        rows.append(("indicators rollup catch-up (scheduler job)",
                     f"{progress.facts:,} facts in {time.perf_counter() - began:.0f} s", "", ""))
        rows.append(("indicators trend (county, 12 months)",
                     *_time(lambda: indicators.trend(supervisor, county, 12), args.trend_samples)))
    except Exception as error:  # another engineer's package, in progress: say what happened
        db.session.rollback()
        rows.append(("indicators", f"failed: {type(error).__name__}: {error}"[:90], "", ""))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--audit", type=int, default=20_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rollup-seconds", type=float, default=120, help="time given to the indicators' rollups")
    parser.add_argument("--trend-samples", type=int, default=10, help="calls of the indicators' trend timed")
    args = parser.parse_args()
    if not postgres_url():
        print("bench/scale.py times the production (partitioned PostgreSQL) set-up: set DATABASE_URL=postgresql://…")
        return 2
    rng = random.Random(16)
    print(f"scale: {args.cases:,} cases, {args.audit:,} audit rows, {args.cases * 2:,} facts, {args.users:,} users\n")
    with scratch_database("postgresql") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-scale-" + "k" * 40})
        with app.app_context():
            migrate_database()
            levels = build_org()
            build_users(levels, args.users, rng)
            db.session.commit()
            supervisor = seed(levels, args)
            rows = measure(args, supervisor, levels, rng)
            sizes = db.session.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
            db.session.remove()
            db.engine.dispose()
    shown = [(name, f"{p50:.1f}" if isinstance(p50, float) else p50, f"{p95:.1f}" if isinstance(p95, float) else p95,
              ("ok" if p95 <= TARGET_MS else "over") if isinstance(p95, float) else "")
             for name, p50, p95, *_ in rows]
    print(table(shown, ("query", "p50 ms", "p95 ms", f"≤ {TARGET_MS:.0f} ms p95")))
    print(f"\ndatabase size {sizes}")
    print(f"reproduce: DATABASE_URL=... python bench/scale.py --cases {args.cases} --audit {args.audit} "
          f"--samples {args.samples} --rollup-seconds {args.rollup_seconds:.0f} --trend-samples {args.trend_samples}")
    print(json.dumps({name: {"p50_ms": p50, "p95_ms": p95} for name, p50, p95, *_ in rows}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
