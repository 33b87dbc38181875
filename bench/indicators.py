"""Indicators at county scale: 1,000,000 cases over twelve months, their facts rolled up by the
platform's own incremental job, then a county month's table timed.

Seeding is in bulk (cases, their data and their facts are inserted directly, as the case service
would have left them: filed, a handling task completed on time or late, closed on time or late,
some reworked, returned, rated, paused or extended, a few left open). Then, as in production, the
facts stream is rolled up by ``indicators.stream`` (timed: facts per second), ended months are
frozen, and the county's month is asked for, per town and per grid:

- a frozen month (read from its snapshot),
- the same days as a date range (computed live from the daily rollups, stocks from the last frozen
  month end),
- the current month (live).

Each figure is the median of several runs after a first (cold) one, printed with it.

Run:  python bench/indicators.py [--cases 1000000] [--runs 5] [--keep DIR]
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/indicators.py
(PostgreSQL runs in a throw-away database created on that server and dropped afterwards.
``--keep DIR`` keeps the seeded and rolled-up SQLite database in DIR and, when one for the same
number of cases is there, only times the queries on it: seeding a million cases takes a while.)
"""

import argparse
import heapq
import io
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import databases, scratch_database, table
from sqlalchemy import func, insert, select, text

from workflow_app import create_app
from workflow_app.cli import migrate_database
from workflow_app.extensions import db
from workflow_app.indicators import closing, periods, report, service, stream, versions
from workflow_app.indicators.tables import Rollup
from workflow_app.models import OrgUnit, ProcessVersion, RoleAssignment, User
from workflow_app.org import roles

TOWNS, COMMUNITIES, GRIDS, DEPARTMENTS = 10, 10, 5, 30
CATEGORIES = ("暴露垃圾", "垃圾桶", "路灯", "道路路面", "人行道", "渣土撒漏", "工地扬尘", "乱堆物料", "违法建设",
              "积水")
HANDLING = (("网格处置", "grid_worker", 0.35), ("社区处置", "community_staff", 0.5),
            ("镇街处置", "town_dispatcher", 0.15))
FACT_COLUMNS = ("id", "at", "kind", "instance_id", "process_key", "stage", "unit_id", "unit_path", "actor_id", "detail")


def _path(*ids: int) -> str:
    return "/" + "/".join(f"{i:08d}" for i in ids) + "/"


class County:
    """The bench county: towns, communities, grids, departments, and a worker for each unit."""

    def __init__(self):
        self.units, self.users, self.assignments = [], [], []
        self.grids, self.communities, self.towns, self.departments = [], [], [], []
        county = self._unit("bench", "区县", "county", None, [])
        self.county = county
        for t in range(TOWNS):
            town = self._unit(f"t{t}", f"第{t + 1}街道", "town", county, [county[0]])
            self.towns.append(town)
            self._user(f"dispatcher-t{t}", "town_dispatcher", town)
            for c in range(COMMUNITIES):
                community = self._unit(f"t{t}-c{c}", f"第{t + 1}街道第{c + 1}社区", "community", town,
                                       [county[0], town[0]])
                self.communities.append(community)
                self._user(f"staff-t{t}-c{c}", "community_staff", community)
                for g in range(GRIDS):
                    grid = self._unit(f"t{t}-c{c}-g{g}", f"第{t + 1}街道第{c + 1}社区第{g + 1}网格", "grid", community,
                                      [county[0], town[0], community[0]])
                    self.grids.append((grid, community, town, self._user(f"worker-{grid[1]}", "grid_worker", grid)))
        for d in range(DEPARTMENTS):
            self.departments.append(self._unit(f"dept{d}", f"第{d + 1}局", "county", county, [county[0]],
                                               kind="department"))
        self._user("supervisor", "county_supervisor", county)

    def _unit(self, code, name, level, parent, above, kind="area"):
        unit_id = len(self.units) + 1
        path = _path(*above, unit_id)
        self.units.append({"id": unit_id, "code": code, "name_zh": name, "level": level, "kind": kind,
                           "parent_id": parent[0] if parent else None, "path": path})
        return unit_id, code, path

    def _user(self, username, role, unit) -> int:
        user_id = len(self.users) + 1
        self.users.append({"id": user_id, "username": username, "name": username, "active": True,
                           "created_at": datetime.now(UTC)})
        self.assignments.append({"user_id": user_id, "role_code": role, "org_unit_id": unit[0]})
        return user_id

    def write(self) -> None:
        db.session.execute(insert(OrgUnit), self.units)
        db.session.execute(insert(User), self.users)
        db.session.execute(insert(RoleAssignment), self.assignments)


def _case(number: int, county: County, filed: datetime, limit: datetime, rng: random.Random):
    """One case's instance row and its facts, as the event process would have recorded them (a case
    that would close after ``limit``, the bench's present, is still open)."""
    grid, community, town, worker = rng.choice(county.grids)
    stage, role, _share = rng.choices(HANDLING, weights=[h[2] for h in HANDLING])[0]
    handler_unit = {"grid_worker": grid, "community_staff": community, "town_dispatcher": town}[role]
    due = filed + timedelta(hours=rng.choice((2, 4, 8, 24, 48, 72)))
    open_case = rng.random() < 0.03
    late = rng.random() < 0.25
    closed = None if open_case else (due + timedelta(hours=rng.uniform(1, 72)) if late else
                                     filed + (due - filed) * rng.uniform(0.1, 0.95))
    if closed is not None and closed > limit:
        closed = None
    data = {"case_due": due.isoformat(), "title": f"{rng.choice(CATEGORIES)}：案件{number}",
            "standard": {"subcategory": rng.choice(CATEGORIES)}}
    instance = {"id": number, "process_key": "event_handling", "version_id": 1, "org_unit_id": grid[0],
                "status": "running" if open_case else "completed", "state": "", "revision": 1, "data": data,
                "started_by_id": worker, "started_at": filed, "updated_at": closed or filed, "ended_at": closed}
    facts = [("filed", filed, grid, worker, "立案", None)]
    if closed is not None:
        actor = worker if role == "grid_worker" else None
        facts.append(("completed_late" if late else "completed_on_time", closed - timedelta(minutes=5),
                      handler_unit, actor, stage, None))
        for kind, share, unit in (("rework", 0.06, grid), ("paused", 0.02, handler_unit),
                                  ("extended", 0.02, handler_unit),
                                  ("returned", 0.04, rng.choice(county.departments)),
                                  ("late_report_in", 0.04, rng.choice(county.departments))):
            if rng.random() < share:
                facts.append((kind, filed + (closed - filed) / 2, unit, None, kind, None))
        if rng.random() < 0.25:
            verdict = rng.choices(("满意", "基本满意", "不满意"), weights=(7, 2, 1))[0]
            facts.append(("satisfaction", closed - timedelta(minutes=1), grid, None, "回访", {"verdict": verdict}))
        facts.append(("closed_late" if late else "closed_on_time", closed, grid, None, "结案", None))
    return instance, facts


def seed(kind: str, county: County, cases: int, rng: random.Random, chunk: int = 20000) -> int:
    """Insert ``cases`` cases over the twelve months before this one, day by day, with their facts in
    the order they happen (as the facts stream has them); returns the facts inserted."""
    first = periods.current_month()
    for _ in range(12):
        first = first.previous()
    start, limit = first.starts_at, datetime.now(UTC) - timedelta(hours=6)
    days = max(1, (limit - start).days)
    state = {"number": 0, "fact_id": 0, "instances": [], "facts": []}
    pending: list = []
    day = start
    while state["number"] < cases:
        today = min(cases - state["number"], int(cases / days) + (rng.random() < (cases / days) % 1))
        for _ in range(today if day + timedelta(days=1) < limit else cases - state["number"]):
            state["number"] += 1
            filed = day + timedelta(seconds=rng.random() * 86400)
            instance, made = _case(state["number"], county, min(filed, limit), limit, rng)
            state["instances"].append(instance)
            for fact in made:
                heapq.heappush(pending, (fact[1], rng.random(), state["number"], fact))
        day += timedelta(days=1)
        while pending and pending[0][0] < day:
            _, _, number, (kind_, at, unit, actor, stage, detail) = heapq.heappop(pending)
            state["fact_id"] += 1
            state["facts"].append((state["fact_id"], at, kind_, number, "event_handling", stage, unit[0], unit[2],
                                   actor, detail))
        if len(state["facts"]) >= chunk or state["number"] >= cases:
            _flush(kind, state, cases)
    while pending:
        _, _, number, (kind_, at, unit, actor, stage, detail) = heapq.heappop(pending)
        state["fact_id"] += 1
        state["facts"].append((state["fact_id"], at, kind_, number, "event_handling", stage, unit[0], unit[2], actor,
                               detail))
    _flush(kind, state, cases)
    print(file=sys.stderr)
    return state["fact_id"]


INSTANCE_COLUMNS = ("id", "process_key", "version_id", "org_unit_id", "status", "state", "revision", "data",
                    "started_by_id", "started_at", "updated_at", "ended_at")


def _flush(kind: str, state: dict, cases: int) -> None:
    if state["instances"]:
        _bulk(kind, "process_instance", INSTANCE_COLUMNS,
              [tuple(i[c] for c in INSTANCE_COLUMNS) for i in state["instances"]])
    if state["facts"]:
        _bulk(kind, "case_fact", FACT_COLUMNS, state["facts"])
    db.session.commit()
    state["instances"], state["facts"] = [], []
    print(f"\r  cases {state['number']:>9,}/{cases:,}  facts {state['fact_id']:>10,}", end="", file=sys.stderr,
          flush=True)


def _value(kind: str, value):
    """A value as the driver takes it: times as the UTC columns store them, dicts as JSON text."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if kind == "sqlite" else value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _bulk(kind: str, table_name: str, columns: tuple, rows: list[tuple]) -> None:
    """Insert rows straight through the driver (COPY on PostgreSQL): bulk seeding, not the platform's path."""
    rows = [tuple(_value(kind, v) for v in row) for row in rows]
    if kind != "postgresql":
        marks = ", ".join("?" * len(columns))
        db.session.connection().exec_driver_sql(f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({marks})",
                                                rows)
        return
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _version() -> None:
    db.session.execute(insert(ProcessVersion), [{
        "id": 1, "key": "event_handling", "locality": "", "version": 1, "sha256": "0" * 64, "status": "active",
        "deployed_at": datetime.now(UTC) - timedelta(days=400), "spec_json": "{}", "manifest": {}}])


def _timed(fn, runs: int) -> tuple[float, float]:
    """(first run, median of the next ``runs``) in milliseconds."""
    began = time.perf_counter()
    fn()
    first = (time.perf_counter() - began) * 1000
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
        db.session.rollback()
    return first, statistics.median(times)


def _queries(county_unit, runs: int) -> list[tuple[str, float, float, int]]:
    frozen_month = periods.current_month().previous()
    as_range = periods.days(frozen_month.start, frozen_month.end - timedelta(days=1))
    current = periods.current_month()
    found = []
    for label, period in (("frozen month", frozen_month), ("same days, live", as_range), ("current month", current)):
        for level in ("town", "grid"):
            ask = report.Ask(county_unit.code, period, level)
            result = []

            def run(ask=ask, result=result):
                result[:] = [report.build(county_unit, ask, ask.level)]

            first, median = _timed(run, runs)
            found.append((f"{label}, per {level}", first, median, len(result[0].rows)))
    supervisor = db.session.execute(select(User).where(User.username == "supervisor")).scalar_one()
    trend = []
    first, median = _timed(lambda: trend.append(service.trend(supervisor, county_unit.code, 12)), runs)
    found.append(("12-month trend (the API's), per town", first, median, len(trend[-1]["periods"])))
    return found


def _prepare(kind: str, args, result: dict) -> None:
    """Seed, roll up and freeze, recording how long each took."""
    rng = random.Random(2026)
    migrate_database()
    roles.ensure_builtin_roles()
    county = County()
    county.write()
    _version()
    db.session.commit()
    versions.ensure_defaults()
    began = time.perf_counter()
    result["facts"] = seed(kind, county, args.cases, rng)
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    result["seed_s"] = time.perf_counter() - began
    began = time.perf_counter()
    while True:
        progress = stream.catch_up(max_seconds=3600, limit=args.batch)
        if not progress.facts and not stream.pending():
            break
    result["rollup_s"] = time.perf_counter() - began
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    began = time.perf_counter()
    result["frozen"] = closing.freeze_due()
    result["freeze_s"] = time.perf_counter() - began
    result["rollup_rows"] = db.session.scalar(select(func.count()).select_from(Rollup))
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def measure(kind: str, url: str, args, kept: Path | None = None) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench-indicators-" + "k" * 40})
    result = {}
    with app.test_request_context():
        if kept is not None and kept.exists():
            result.update(json.loads(kept.read_text()), reused=True)
        else:
            _prepare(kind, args, result)
            if kept is not None:
                kept.write_text(json.dumps(result))
        unit = db.session.execute(select(OrgUnit).where(OrgUnit.code == "bench")).scalar_one()
        result["queries"] = _queries(unit, args.runs)
        db.session.remove()
        db.engine.dispose()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20000, help="facts per roll-up batch")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None, help="one of the databases")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the seeded SQLite database in this folder and reuse it on the next run")
    args = parser.parse_args()
    rows, summary = [], {}
    for kind in databases():
        if args.only and kind != args.only:
            continue
        print(f"{kind}:", file=sys.stderr)
        if kind == "sqlite" and args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            stem = args.keep / f"indicators-{args.cases}"
            if not Path(f"{stem}.json").exists():  # an interrupted seeding is started again
                for leftover in args.keep.glob(f"{stem.name}.db*"):
                    leftover.unlink()
            found = measure(kind, f"sqlite:///{stem}.db", args, Path(f"{stem}.json"))
        else:
            with scratch_database(kind) as url:
                found = measure(kind, url, args)
        summary[kind] = found
        kept = " (kept from an earlier run)" if found.get("reused") else ""
        rows.append((kind, "seed (bulk insert)" + kept, f"{found['seed_s']:.0f} s", f"{found['facts']:,} facts", ""))
        rows.append((kind, "roll-up (the platform's job)", f"{found['rollup_s']:.0f} s",
                     f"{found['facts'] / max(found['rollup_s'], 1e-9):,.0f} facts/s", f"{found['rollup_rows']:,} rows"))
        rows.append((kind, "freeze ended months", f"{found['freeze_s']:.1f} s", f"{found['frozen']} months", ""))
        for label, first, median, count in found["queries"]:
            what = label if label.startswith("12-month") else f"county month: {label}"
            rows.append((kind, what, f"{median:.0f} ms", f"first {first:.0f} ms", f"{count} rows"))
    out = io.StringIO()
    print(f"indicators: {args.cases:,} cases over twelve months, {TOWNS} towns, {TOWNS * COMMUNITIES} communities, "
          f"{TOWNS * COMMUNITIES * GRIDS} grids, {DEPARTMENTS} departments\n", file=out)
    print(table(rows, ("database", "what", "time", "", "")), file=out)
    keep = f" --keep {args.keep}" if args.keep else ""
    print(f"\nreproduce: python bench/indicators.py --cases {args.cases} --runs {args.runs}{keep} "
          "(set DATABASE_URL=postgresql://... to include PostgreSQL)", file=out)
    print(out.getvalue())
    print(json.dumps({k: {"seed_s": v["seed_s"], "rollup_s": v["rollup_s"], "facts": v["facts"],
                          "queries_ms": {q[0]: q[2] for q in v["queries"]}} for k, v in summary.items()}))


if __name__ == "__main__":
    main()
