"""``workflow-app serve``: the production server and a scheduler beside it, started and stopped together.

A small supervisor process starts two children, each in a process group of its own:

- gunicorn with ``deploy/gunicorn.conf.py`` (gthread workers; the app is ``workflow_app:create_app()``),
- the scheduler (``flask --app workflow_app scheduler``), unless ``--no-scheduler`` (app-only nodes).

SIGINT (Ctrl-C) or SIGTERM to the supervisor stops both: gunicorn gets SIGTERM (graceful: requests in
flight finish), the scheduler SIGINT (it stops between ticks; a tick cut short is safe: claims are
leases); whatever is left after ``grace`` seconds is killed with its whole process group. If the
supervisor itself is killed, the kernel sends both children SIGTERM (PR_SET_PDEATHSIG), gunicorn's
workers notice their master is gone, and engine workers exit when their pipe closes: no orphans.
A scheduler that dies is restarted (at most 5 times a minute); gunicorn dying ends the supervisor.

The supervisor sets PROMETHEUS_MULTIPROC_DIR (a fresh folder, emptied at start) for both children,
so /metrics sums the web workers' and the scheduler's counters, and WORKFLOW_LOG_FORMAT=json.
"""

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import PROJECT_ROOT

log = logging.getLogger(__name__)
CONFIG = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
PR_SET_PDEATHSIG = 1
RESTARTS_PER_MINUTE = 5


@dataclass
class Options:
    bind: str | None = None
    workers: int | None = None
    threads: int | None = None
    scheduler: bool = True
    grace: float = 25.0
    config: Path = CONFIG
    extra: list = field(default_factory=list)  # more gunicorn arguments


def _die_with_parent():  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _spawn(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=str(PROJECT_ROOT), env=env, start_new_session=True,
                            preexec_fn=_die_with_parent)  # the supervisor is single-threaded


def commands(options: Options) -> dict[str, list[str]]:
    web = [sys.executable, "-m", "gunicorn", "-c", str(options.config)]
    if options.bind:
        web += ["--bind", options.bind]
    if options.workers:
        web += ["--workers", str(options.workers)]
    if options.threads:
        web += ["--threads", str(options.threads)]
    found = {"web": web + list(options.extra)}
    if options.scheduler:
        found["scheduler"] = [sys.executable, "-m", "flask", "--app", "workflow_app", "scheduler"]
    return found


def environment(metrics_dir: Path) -> dict:
    env = dict(os.environ)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    env["WORKFLOW_SERVE_SUPERVISED"] = "1"  # the config file leaves the metrics folder to us
    env.setdefault("WORKFLOW_LOG_FORMAT", "json")
    env["WORKFLOW_SCHEDULER_IN_APP"] = "0"  # the scheduler runs beside the app, never inside it
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _wipe(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.db"):
        path.unlink(missing_ok=True)


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)


class Supervisor:
    def __init__(self, options: Options):
        self.options = options
        given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        self.metrics_dir = Path(given) if given else Path(tempfile.mkdtemp(prefix="workflow-metrics-"))
        self.own_metrics_dir = not given
        self.stopping = False
        self.children: dict[str, subprocess.Popen] = {}
        self.restarts: list[float] = []

    def _stop(self, signum, _frame) -> None:
        self.stopping = True

    def run(self) -> int:
        _wipe(self.metrics_dir)
        env = environment(self.metrics_dir)
        plan = commands(self.options)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        for name, command in plan.items():
            self.children[name] = _spawn(command, env)
        code = 0
        try:
            code = self._watch(plan, env)
        finally:
            self.shutdown()
        return code

    def _watch(self, plan: dict, env: dict) -> int:
        while not self.stopping:
            time.sleep(0.25)
            web = self.children["web"].poll()
            if web is not None:
                log.error("gunicorn exited with %s; stopping", web)
                return web or 1
            scheduler = self.children.get("scheduler")
            if scheduler is not None and scheduler.poll() is not None:
                self._mark_dead(scheduler.pid)
                now = time.monotonic()
                self.restarts = [t for t in self.restarts if now - t < 60] + [now]
                if len(self.restarts) > RESTARTS_PER_MINUTE:
                    log.error("the scheduler keeps exiting (last code %s); stopping", scheduler.returncode)
                    return 1
                log.warning("the scheduler exited with %s; restarting it", scheduler.returncode)
                self.children["scheduler"] = _spawn(plan["scheduler"], env)
        return 0

    def _mark_dead(self, pid: int) -> None:
        with contextlib.suppress(Exception):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(pid, str(self.metrics_dir))

    def shutdown(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        first = {"web": signal.SIGTERM, "scheduler": signal.SIGINT}
        for name, proc in self.children.items():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(first[name])
        deadline = time.monotonic() + self.options.grace
        for proc in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
        for proc in self.children.values():
            _signal_group(proc, signal.SIGKILL)  # stragglers: workers, engine workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
            self._mark_dead(proc.pid)
        if self.own_metrics_dir:
            shutil.rmtree(self.metrics_dir, ignore_errors=True)


def run(options: Options) -> int:
    return Supervisor(options).run()
