"""``workflow-app serve`` (issue 16): gunicorn and a scheduler started together and stopped together.

Real processes on loopback: the supervisor, gunicorn's master and worker, the scheduler and the
engine workers a case start brings up. SIGTERM or SIGINT to the supervisor stops every one of them;
SIGKILL of the supervisor too (the children die with their parent); a scheduler that dies is restarted.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "workflow-app"
pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="serve is exercised on the embedded SQLite (the README's "
                                "run command); PostgreSQL nodes are proven by tests/test_production_cluster.py")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(port, method, path, body=None, token=None) -> tuple[int, dict | str]:
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        raw = response.read().decode()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw
    finally:
        conn.close()


def _children() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                found[int(entry.name)] = int(fields[1])
    return found


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids) -> set[int]:
    living = _children()
    return {pid for pid in pids if pid in living}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _ready(port) -> bool:
    try:
        return _call(port, "GET", "/readyz")[0] == 200
    except OSError:
        return False


@pytest.fixture
def served(demo_org, database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "serve-test-" + "k" * 40,
           "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WORKFLOW_SCHEDULER_INTERVAL": "1",
           "WORKFLOW_ENGINE_WORKERS": "1", "UPLOAD_DIR": str(tmp_path / "uploads"),
           "WORKFLOW_METRICS_ALLOW": "127.0.0.1"}
    bundles = tmp_path / "processes"  # the one process the test starts (the others are not this test's)
    shutil.copytree(ROOT / "processes" / "minor_event", bundles / "minor_event")
    deployed = subprocess.run([sys.executable, "-m", "flask", "--app", "workflow_app", "deploy", "--dir", str(bundles)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert deployed.returncode == 0, deployed.stderr[-3000:]
    port = _port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([str(SCRIPT), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
                             "--grace", "10"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            _wait(lambda: _ready(port), 120, "readiness (app and scheduler heartbeat)")
        except AssertionError as error:
            log.flush()
            raise AssertionError(f"{error}: {(tmp_path / 'serve.log').read_text()[-3000:]}") from None
        yield proc, port, tmp_path / "serve.log"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        log.close()


def _start_a_case(port) -> None:
    status, body = _call(port, "POST", "/api/v1/auth/token", {"username": "worker-dc-dm-01", "password": "demo123"})
    assert status == 200, body
    status, case = _call(port, "POST", "/api/v1/instances", {"process_key": "minor_event", "org_unit": "dc-dm-01",
                                                             "data": {"category": "environment", "severity": "general",
                                                                      "description": "路灯不亮", "address": "东门路"}},
                         body["token"])
    assert status == 201, case


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["term", "int", "kill"])
def test_serve_stops_everything_it_started(served, signum):
    proc, port, log = served
    assert _call(port, "GET", "/healthz") == (200, {"status": "alive"})
    _start_a_case(port)  # brings up an engine worker in the gunicorn worker
    status, page = _call(port, "GET", "/metrics")
    assert status == 200 and 'workflow_case_starts_total{process="minor_event"} 1.0' in page, page[:2000]
    assert 'workflow_http_request_duration_seconds_count{method="POST",route="/api/v1/instances"} 1.0' in page
    tree = _descendants(proc.pid)
    commands = [_cmdline(pid) for pid in tree]
    assert any("gunicorn" in c for c in commands) and any(" scheduler" in c for c in commands), commands
    assert any("wfengine" in c for c in commands), commands  # an engine worker process
    proc.send_signal(signum)
    proc.wait(40)
    assert _wait(lambda: not _alive(tree) or None, 20, f"every process to stop: {sorted(_alive(tree))}") is True
    if signum != signal.SIGKILL:
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        assert any(line.get("event") == "request" and line.get("route") == "/api/v1/instances" for line in lines)


def test_serve_restarts_a_scheduler_that_dies(served):
    proc, port, _log = served
    first = _wait(lambda: [p for p in _descendants(proc.pid) if " scheduler" in _cmdline(p)
                           and "gunicorn" not in _cmdline(p)], 10, "the scheduler")
    os.kill(first[0], signal.SIGKILL)
    again = _wait(lambda: [p for p in _descendants(proc.pid) if " scheduler" in _cmdline(p) and p not in first], 20,
                  "a new scheduler")
    assert again and _wait(lambda: _ready(port), 30, "readiness again")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(40) == 0
