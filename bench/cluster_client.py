"""bench/cluster.py's clients: journeys over HTTP with fail-over between app nodes, timed per endpoint."""

import json
import random
import threading
import time
from collections import defaultdict
from http.client import HTTPConnection, RemoteDisconnected

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号"}
UNKNOWN = object()  # a request cut off mid-flight: it may or may not have been carried out


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(list)
        self.failovers = defaultdict(int)
        self.acknowledged = {}  # nonce -> case id (the platform answered 201)
        self.unknown_starts: list[str] = []

    def time(self, label, seconds):
        with self.lock:
            self.times[label].append(seconds)

    def error(self, label, what):
        with self.lock:
            self.errors[label].append(what)

    def failover(self, label):
        with self.lock:
            self.failovers[label] += 1

    def pct(self, label, q) -> float:
        ordered = sorted(self.times.get(label, []))
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


class Client:
    def __init__(self, index: int, ports: list, stats: Stats, grid: str, phase: int = 1):
        self.index, self.ports, self.stats, self.grid, self.phase = index, ports, stats, grid, phase
        self.worker, self.staff = f"worker-{grid}", f"staff-{grid.rsplit('-', 1)[0]}"
        self.tokens: dict[str, str] = {}
        self.conns: dict[int, HTTPConnection] = {}
        self.count = 0
        self.timers: list[tuple[int, float]] = []  # own 定时复核 cases waiting for their check task

    @staticmethod
    def warm(ports, workers: int) -> None:
        for port in ports:
            for _ in range(workers * 6):
                conn = HTTPConnection("127.0.0.1", port, timeout=120)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()

    def _conn(self, port) -> HTTPConnection:
        if port not in self.conns:
            self.conns[port] = HTTPConnection("127.0.0.1", port, timeout=30)
        return self.conns[port]

    def _drop(self, port) -> None:
        conn = self.conns.pop(port, None)
        if conn is not None:
            conn.close()

    def _order(self) -> list:
        ports = list(self.ports)
        home = self.index % len(ports)
        return ports[home:] + ports[:home]

    def call(self, label, method, path, user=None, body=None, expect=(200,), resend=True, after_cut=()):
        """The answer's JSON (or {} for an expected status in ``after_cut`` after a cut), None on an
        error, UNKNOWN when a request that must not be repeated was cut off."""
        headers = {"Content-Type": "application/json"}
        if user:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        cut = False
        for attempt in range(12):
            port = self._order()[attempt % len(self.ports)]
            conn = self._conn(port)
            began = time.perf_counter()
            try:
                if conn.sock is None:
                    conn.connect()  # refused here: nothing was sent; try the other node
            except OSError:
                self._drop(port)
                self.stats.failover(label)
                time.sleep(0.05 * (attempt + 1))
                continue
            try:
                conn.request(method, f"/api/v1{path}", body=json.dumps(body) if body is not None else None,
                             headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, RemoteDisconnected):
                self._drop(port)
                self.stats.failover(label)
                if not resend:
                    return UNKNOWN
                cut = True
                continue
            self.stats.time(label, time.perf_counter() - began)
            if response.status in expect or (cut and response.status in after_cut):
                return json.loads(payload) if payload and response.status in expect else {}
            self.stats.error(label, f"{response.status}: {payload[:160]!r}")
            return None
        self.stats.error(label, "no node answered")
        return None

    def login_all(self) -> None:
        for user in (self.worker, self.staff):
            found = self.call("POST /auth/token", "POST", "/auth/token", None,
                              {"username": user, "password": "demo123"})
            if found and found is not UNKNOWN:
                self.tokens[user] = found["token"]

    def _start(self, label, key, data, nonce):
        found = self.call(label, "POST", "/instances", self.worker,
                          {"process_key": key, "org_unit": self.grid, "data": data}, expect=(201,), resend=False)
        if found is UNKNOWN:
            with self.stats.lock:
                self.stats.unknown_starts.append(nonce)
            return None
        if found:
            with self.stats.lock:
                self.stats.acknowledged[nonce] = found["id"]
        return found

    def journey(self) -> None:
        if len(self.tokens) < 2:
            time.sleep(0.5)
            return
        self.count += 1
        nonce = f"{self.phase}c{self.index}-{self.count}"  # unique across the runs on one database
        case = self._start("POST /instances", "minor_event", {**REPORT, "description": f"路灯不亮 #{nonce}"}, nonce)
        timer = self._start("POST /instances (timer)", "bench_timer", {"ref": f"t{nonce}"}, f"t{nonce}")
        if timer:
            self.timers.append((timer["id"], time.monotonic()))
        if case:
            self._handle(case["id"])
        self.check_timers()
        time.sleep(random.random() * 0.01)

    def _handle(self, case_id: int) -> None:
        if self.call("GET /inbox", "GET", "/inbox?state=open&per_page=20", self.staff) is None:
            return
        tasks = self.call("GET /tasks", "GET", f"/tasks?instance_id={case_id}", self.staff)
        if not tasks:
            return
        self.call("POST /tasks/<id>/complete", "POST", f"/tasks/{tasks[0]['id']}/complete", self.staff,
                  {"data": {"handling_note": "已处置"}}, after_cut=(409,))
        verify = self.call("GET /tasks", "GET", f"/tasks?instance_id={case_id}", self.worker)
        if verify:
            self.call("POST /tasks/<id>/complete", "POST", f"/tasks/{verify[0]['id']}/complete", self.worker,
                      {"data": {"verified": True}}, after_cut=(409,))

    def check_timers(self) -> None:
        waiting = []
        for case_id, started in self.timers:
            if time.monotonic() - started < 2.5:
                waiting.append((case_id, started))
                continue
            tasks = self.call("GET /tasks", "GET", f"/tasks?instance_id={case_id}", self.worker)
            if not tasks:
                waiting.append((case_id, started))
                continue
            self.call("POST /tasks/<id>/complete", "POST", f"/tasks/{tasks[0]['id']}/complete", self.worker,
                      {"data": {"ok": True}}, after_cut=(409,))
        self.timers = waiting

    def finish_timers(self, deadline: float) -> None:
        while self.timers and time.monotonic() < deadline:
            self.check_timers()
            time.sleep(0.3)
