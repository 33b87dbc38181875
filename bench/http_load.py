"""A bounded HTTP load test against a real gunicorn on loopback.

20 clients (a grid worker and a community worker each, logging in as the demo users they are)
run the shipped 小事快办 (minor_event) process for a fixed time: the grid worker reports (start),
the community worker reads the inbox, opens the task, completes it, and the grid worker reads
the verification task and closes the case. Every response is timed per endpoint; anything but
the expected status is an error.

Run:  python bench/http_load.py [--clients 20] [--seconds 30] [--workers 4] [--threads 2]
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/http_load.py
(SQLite: a fresh file; PostgreSQL: a throw-away database on that server, dropped afterwards.)
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.client import HTTPConnection

from common import ROOT, databases, scratch_database, table

REPORT = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路12号"}
GRIDS = [f"{town}-{community}-0{n}" for town, communities in (("dc", ("dm", "bg")), ("xs", ("sq", "ly")),
                                                                  ("nh", ("hb", "yz")))
         for community in communities for n in (1, 2)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "s" * 40, "WORKFLOW_ENGINE_WORKERS": "2",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "PYTHONUNBUFFERED": "1"}


def seed(url: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "workflow_app", "demo", "--no-cases"], cwd=ROOT,
                   env=_env(url), check=True, stdout=subprocess.DEVNULL)


def serve(url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-k", "gthread",
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "workflow_app:create_app()"]
    server = subprocess.Popen(command, cwd=ROOT, env=_env(url), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def warm_up(port: int, workers: int) -> None:
    """Until every worker has booted and answered (the first answers of a cold worker are not load)."""
    for _ in range(workers * 8):
        conn = HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/api/v1/openapi.json")
        conn.getresponse().read()
        conn.close()


class Client:
    def __init__(self, port: int, stats, errors):
        self.conn = HTTPConnection("127.0.0.1", port, timeout=60)
        self.stats, self.errors, self.tokens = stats, errors, {}

    def call(self, label: str, method: str, path: str, user: str | None, body=None, expect=200):
        headers = {"Content-Type": "application/json"}
        if user:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        began = time.perf_counter()
        try:
            self.conn.request(method, f"/api/v1{path}", body=json.dumps(body) if body is not None else None,
                              headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
        except OSError as error:
            self.conn.close()
            self.errors[label].append(f"connection: {error}")
            return None
        self.stats[label].append(time.perf_counter() - began)
        if response.status != expect:
            self.errors[label].append(f"{response.status}: {payload[:200]!r}")
            return None
        return json.loads(payload) if payload else None

    def login(self, username: str) -> None:
        found = self.call("POST /auth/token", "POST", "/auth/token", None,
                          {"username": username, "password": "demo123"})
        if found:
            self.tokens[username] = found["token"]


def journey(client: Client, grid: str) -> None:
    worker, staff = f"worker-{grid}", f"staff-{grid.rsplit('-', 1)[0]}"
    case = client.call("POST /instances", "POST", "/instances", worker,
                       {"process_key": "minor_event", "org_unit": grid, "data": REPORT}, expect=201)
    if not case:
        return
    inbox = client.call("GET /inbox", "GET", "/inbox?state=open&per_page=20", staff)
    tasks = client.call("GET /tasks", "GET", f"/tasks?instance_id={case['id']}", staff) or []
    if inbox is None or not tasks:
        return
    client.call("GET /tasks/<id>", "GET", f"/tasks/{tasks[0]['id']}", staff)
    client.call("POST /tasks/<id>/complete", "POST", f"/tasks/{tasks[0]['id']}/complete", staff,
                {"data": {"handling_note": "已处置"}})
    verify = client.call("GET /tasks", "GET", f"/tasks?instance_id={case['id']}", worker) or []
    if verify:
        client.call("POST /tasks/<id>/complete", "POST", f"/tasks/{verify[0]['id']}/complete", worker,
                    {"data": {"verified": True}})


def drive(port: int, clients: int, seconds: float) -> tuple[dict, dict, float]:
    stats, errors = defaultdict(list), defaultdict(list)
    ready = threading.Barrier(clients + 1)
    window = {"stop": None}

    def run(index: int):
        client = Client(port, stats, errors)
        grid = GRIDS[index % len(GRIDS)]
        client.login(f"worker-{grid}")
        client.login(f"staff-{grid.rsplit('-', 1)[0]}")
        ready.wait()
        while time.monotonic() < window["stop"] and len(client.tokens) == 2:
            journey(client, grid)
            time.sleep(random.random() * 0.01)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    window["stop"] = time.monotonic() + 3600  # set properly once everyone has logged in
    ready.wait()
    window["stop"] = time.monotonic() + seconds
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return stats, errors, time.perf_counter() - began


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def run(kind: str, args) -> dict:
    with scratch_database(kind) as url:
        seed(url)
        port = _free_port()
        server = serve(url, port, args.workers, args.threads)
        warm_up(port, args.workers)
        try:
            stats, errors, elapsed = drive(port, args.clients, args.seconds)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    rows, total = [], 0
    for label in sorted(set(stats) | set(errors)):
        times = stats.get(label, [])
        total += len(times)
        rows.append((kind, label, len(times), f"{len(times) / elapsed:.1f}", f"{_pct(times, 0.5):.1f}",
                     f"{_pct(times, 0.95):.1f}", f"{_pct(times, 0.99):.1f}", len(errors.get(label, []))))
    print(table(rows, ("database", "endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")))
    for label, found in errors.items():
        print(f"  {label}: {found[:3]}")
    print(f"  {kind}: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s, "
          f"{sum(len(e) for e in errors.values())} errors\n")
    complete = stats.get("POST /tasks/<id>/complete", [])
    return {"requests": total, "seconds": elapsed, "errors": sum(len(e) for e in errors.values()),
            "complete_p95_ms": _pct(complete, 0.95), "completions_per_s": len(complete) / elapsed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"http_load: {args.clients} clients for {args.seconds:.0f} s against gunicorn "
          f"-w {args.workers} --threads {args.threads} (minor_event journeys)\n")
    results = {kind: run(kind, args) for kind in databases()}
    print(f"reproduce: python bench/http_load.py --clients {args.clients} --seconds {args.seconds:.0f} "
          f"--workers {args.workers} --threads {args.threads}  (DATABASE_URL=postgresql://... adds PostgreSQL)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
