"""A proven cluster: 2 gunicorn app nodes and 2 scheduler nodes on one PostgreSQL, killed midway.

On loopback: app nodes A and B (gunicorn with deploy/gunicorn.conf.py), schedulers S1 and S2
(``flask scheduler``), one throw-away PostgreSQL database. 20 clients, spread over both app nodes,
run journeys for a bounded time: start a 小事快办 case, read the inbox, complete the community task,
close the case; and start a 定时复核 case (a 2-second timer the schedulers must fire) whose check task
they complete once it appears. Midway, node B and scheduler S2 are killed with SIGKILL (their whole
process groups) and restarted a few seconds later. A client whose node is down fails over to the
other one, as a load balancer would: a request refused at connect is simply sent again; a request cut
off mid-flight is resolved (a completion is sent again: 200, or 409 when the first one had
committed; a start whose outcome is unknown is left for the database check, never repeated).

Printed: throughput, p50/p95/p99 per endpoint, errors and fail-overs; with ``--baseline`` (the
default) the same load on one app node first, and the ratio of completions per second. At the end
the database is checked: no task completed twice, every acknowledged start exists once, no timer
lost or fired twice, every case's audit trail consistent with its state. Exit status 1 if a check fails.

Run:  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/cluster.py [--seconds 40]
      [--clients 20] [--workers 2] [--threads 4] [--no-baseline] [--no-kill]
(``--database-url`` uses an existing database that already has the demo county's users instead.)
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cluster_checks import check_database
from cluster_client import Client, Stats
from common import ROOT, postgres_url, scratch_database, table

GRIDS = [f"{town}-{community}-0{n}" for town, communities in (("dc", ("dm", "bg")), ("xs", ("sq", "ly")),
                                                                  ("nh", ("hb", "yz")))
         for community in communities for n in (1, 2)]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(url: str, folder: Path, name: str, args) -> dict:
    metrics = folder / f"metrics-{name}"
    metrics.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-cluster-" + "s" * 40,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "PYTHONUNBUFFERED": "1", "WORKFLOW_LOG_FORMAT": "json",
            "WORKFLOW_ENGINE_WORKERS": str(args.threads), "WORKFLOW_TIMER_LEASE": str(args.lease),
            "WORKFLOW_SCHEDULER_INTERVAL": "1", "WORKFLOW_NODE_NAME": name, "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "WORKFLOW_METRICS_ALLOW": "127.0.0.1"}


class Process:
    """One node: a process group started, killed with SIGKILL, restarted."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path, port: int | None = None):
        self.name, self.command, self.env, self.log, self.port = name, command, env, log, port
        self.proc = None

    def start(self) -> "Process":
        handle = self.log.open("a")
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        handle.close()
        return self

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start: see {self.log}")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # engine workers left behind, if any


def app_node(name: str, url: str, folder: Path, args) -> Process:
    port = _port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind",
               f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads)]
    return Process(name, command, _env(url, folder, name, args), folder / f"{name}.log", port)


def scheduler_node(name: str, url: str, folder: Path, args) -> Process:
    command = [sys.executable, "-m", "flask", "--app", "workflow_app", "scheduler", "--interval", "1"]
    return Process(name, command, _env(url, folder, name, args), folder / f"{name}.log")


def prepare(url: str, folder: Path, args, seed: bool) -> None:
    env = _env(url, folder, "setup", args)

    def flask(*command: str) -> None:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "workflow_app", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stderr[-3000:]}")

    flask(*(["demo", "--no-cases"] if seed else ["migrate"]))
    bundles = folder / "processes"
    shutil.copytree(ROOT / "processes" / "minor_event", bundles / "minor_event")
    shutil.copytree(ROOT / "bench" / "processes" / "bench_timer", bundles / "bench_timer")
    flask("deploy", "--dir", str(bundles))


def drive(ports: list, args, events: list | None = None, label: str = "", phase: int = 1) -> tuple[Stats, float]:
    """``args.clients`` clients on ``ports`` (a shared list: the nodes up now) for ``args.seconds``;
    ``events`` are (at second, fn) run by the driver meanwhile."""
    stats = Stats()
    stop = threading.Event()
    ready = threading.Barrier(args.clients + 1)

    def client(index: int) -> None:
        grid = GRIDS[index % len(GRIDS)]
        person = Client(index, ports, stats, grid, phase)
        person.login_all()
        ready.wait()
        while not stop.is_set():
            person.journey()
        person.finish_timers(deadline=time.monotonic() + 6)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.monotonic()
    for at, action in sorted(events or [], key=lambda e: e[0]):
        time.sleep(max(0.0, began + at - time.monotonic()))
        print(f"  [{time.monotonic() - began:5.1f} s] {action.__doc__ or action.__name__}", flush=True)
        action()
    time.sleep(max(0.0, began + args.seconds - time.monotonic()))
    stop.set()
    elapsed = time.monotonic() - began
    for thread in threads:
        thread.join(60)
    print(f"  {label}: {args.clients} clients for {elapsed:.0f} s")
    return stats, elapsed


def report(stats: Stats, elapsed: float, label: str) -> dict:
    rows = []
    for endpoint in sorted(set(stats.times) | set(stats.errors)):
        times = stats.times.get(endpoint, [])
        rows.append((label, endpoint, len(times), f"{len(times) / elapsed:.1f}", f"{stats.pct(endpoint, .5):.1f}",
                     f"{stats.pct(endpoint, .95):.1f}", f"{stats.pct(endpoint, .99):.1f}",
                     len(stats.errors.get(endpoint, [])), stats.failovers.get(endpoint, 0)))
    print(table(rows, ("run", "endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "fail-overs")))
    for endpoint, found in stats.errors.items():
        print(f"  errors {endpoint}: {found[:3]}")
    completions = len(stats.times.get("POST /tasks/<id>/complete", []))
    total = sum(len(t) for t in stats.times.values())
    summary = {"requests": total, "seconds": round(elapsed, 1), "req_per_s": round(total / elapsed, 1),
               "completions_per_s": round(completions / elapsed, 1),
               "complete_p95_ms": round(stats.pct("POST /tasks/<id>/complete", .95), 1),
               "p95_ms": {e: round(stats.pct(e, .95), 1) for e in stats.times},
               "errors": sum(len(e) for e in stats.errors.values()), "failovers": sum(stats.failovers.values()),
               "unknown_starts": len(stats.unknown_starts)}
    print(f"  {label}: {total} requests = {summary['req_per_s']} req/s, {summary['completions_per_s']} completions/s, "
          f"complete p95 {summary['complete_p95_ms']} ms, {summary['errors']} errors, "
          f"{summary['failovers']} fail-overs\n")
    return summary


def baseline(url: str, folder: Path, args) -> dict:
    node = app_node("solo", url, folder, args).start()
    scheduler = scheduler_node("solo-scheduler", url, folder, args).start()
    try:
        node.wait_ready()
        Client.warm([node.port], args.workers)
        stats, elapsed = drive([node.port], args, label="one app node")
        return report(stats, elapsed, "1 node")
    finally:
        node.stop()
        scheduler.stop()


def cluster(url: str, folder: Path, args) -> tuple[dict, Stats]:
    nodes = [app_node("app-a", url, folder, args), app_node("app-b", url, folder, args)]
    schedulers = [scheduler_node("sched-1", url, folder, args), scheduler_node("sched-2", url, folder, args)]
    for process in nodes + schedulers:
        process.start()
    for node in nodes:
        node.wait_ready()
    ports = [node.port for node in nodes]
    Client.warm(ports, args.workers)
    victim, victim_scheduler = nodes[1], schedulers[1]

    def kill():
        """SIGKILL app node B and scheduler S2 (whole process groups)"""
        victim.kill()
        victim_scheduler.kill()

    def restart():
        """restart app node B and scheduler S2"""
        victim.start()
        victim_scheduler.start()
        victim.wait_ready()

    events = [(args.seconds * 0.4, kill), (args.seconds * 0.4 + args.down, restart)] if args.kill else []
    try:
        stats, elapsed = drive(ports, args, events, label="two app nodes, two schedulers", phase=2)
        summary = report(stats, elapsed, "2 nodes")
        summary["drained"] = wait_for_timers(url, args.lease + 15)
    finally:
        for process in nodes + schedulers:
            process.stop()
    return summary, stats


def wait_for_timers(url: str, seconds: float) -> bool:
    """Until no case waits on a timer that is past due (a killed scheduler's leases run out)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                late = conn.execute(text("SELECT count(*) FROM process_instance WHERE status = 'running' "
                                         "AND next_timer_due < now() AT TIME ZONE 'UTC' - interval '1 second'"))
                if late.scalar_one() == 0:
                    return True
            time.sleep(1)
        return False
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app node")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--down", type=float, default=4, help="seconds the killed nodes stay down")
    parser.add_argument("--lease", type=float, default=5, help="WORKFLOW_TIMER_LEASE for the schedulers")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--kill", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--database-url", default=None, help="an existing database with the demo county")
    args = parser.parse_args()
    if not args.database_url and not postgres_url():
        print("bench/cluster.py needs PostgreSQL: set DATABASE_URL=postgresql://user@host:5432/db")
        return 2
    print(f"cluster: {args.clients} clients for {args.seconds:.0f} s; app nodes gunicorn -w {args.workers} "
          f"--threads {args.threads}; kill midway: {args.kill}\n")
    folder = Path(tempfile.mkdtemp(prefix="wf-cluster-"))
    try:
        if args.database_url:
            return run(args.database_url, folder, args, seed=False)
        with scratch_database("postgresql") as url:
            return run(url, folder, args, seed=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(url: str, folder: Path, args, seed: bool) -> int:
    from workflow_app.config import _database_url

    os.environ["DATABASE_URL"] = url
    url = _database_url("/unused")
    prepare(url, folder, args, seed)
    results = {}
    if args.baseline:
        results["one_node"] = baseline(url, folder, args)
    results["two_nodes"], stats = cluster(url, folder, args)
    checks = check_database(url, stats)
    results["checks"] = checks
    if args.baseline and results["one_node"]["completions_per_s"]:
        ratio = results["two_nodes"]["completions_per_s"] / results["one_node"]["completions_per_s"]
        results["scaling"] = round(ratio, 2)
        print(f"two nodes / one node, completions per second: {ratio:.2f}x (target 1.7x; complete p95 "
              f"{results['two_nodes']['complete_p95_ms']} ms, target 100 ms)")
    for name, outcome in checks.items():
        print(f"  check {name}: {outcome['result']}" + (f" ({outcome['detail']})" if outcome.get("detail") else ""))
    failed = [name for name, outcome in checks.items() if outcome["result"] != "ok"]
    errors = results["two_nodes"]["errors"] + (results.get("one_node") or {}).get("errors", 0)
    print(f"checks: {'ok' if not failed else 'FAILED ' + ', '.join(failed)}; errors: {errors}")
    print(f"reproduce: DATABASE_URL=... python bench/cluster.py --seconds {args.seconds:.0f} --clients {args.clients} "
          f"--workers {args.workers} --threads {args.threads}" + ("" if args.baseline else " --no-baseline"))
    print(json.dumps(results, default=str))
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
