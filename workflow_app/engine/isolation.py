"""Running engine actions in worker processes, with a deadline per task that nothing can dodge.

``Engine.perform`` sends one action (start, complete, fire timers, retry, deliver a message…) to
a worker (``worker.py``), serves the platform functions its scripts call, and returns the
``Outcome``. The worker reports each task before it runs it; if it then goes quiet for longer
than the time limit (a script, condition, timer or decision that does not finish, even one stuck
inside a single C-level operation), the worker is killed and the action is replayed in a fresh
worker with that task failed instead of run: the case goes to error at that task, with a message,
and is retryable. A worker that dies (out of memory, say) is treated the same way.

Workers are per process (a gunicorn worker has its own), started on demand up to a maximum,
and keep restored runs: the platform remembers which worker holds the run of which case
revision and sends only a token while that stays true, else the stored state.

``isolated=False`` runs the same actions in-process (development and comparisons only: no
deadline, no memory limit).
"""

import atexit
import contextlib
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import actions, serializer, timers, wire
from .progress import ENV as PROGRESS_ENV
from .progress import Board
from .runtime import TIME_LIMIT_MESSAGE, ProcessRun, SubmissionRefused, TaskNotReady
from .sandbox import SandboxEnvironment
from .types import Outcome, TaskFailure

log = logging.getLogger(__name__)
ENGINE_DIR = Path(__file__).resolve().parent
MAX_REPLAYS = 4
BOOT_TIMEOUT = 120.0
_BOOT = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('wfengine', {init!r}, submodule_search_locations=[{dir!r}])\n"
    "module = importlib.util.module_from_spec(spec); sys.modules['wfengine'] = module\n"
    "spec.loader.exec_module(module)\n"
    "import wfengine.worker\n"
    "wfengine.worker.main()\n"
)


class EngineUnavailable(RuntimeError):
    """No engine worker could be had (all busy for too long, or they cannot start)."""


class _Hung(Exception):
    def __init__(self, last: tuple | None, why: str):
        super().__init__(why)
        self.last = last


@dataclass
class Request:
    """One action on one case. ``state`` loads the stored state when it is needed (a worker that
    holds the run of ``revision`` needs only its token)."""

    spec: serializer.LoadedSpec
    kind: str
    args: dict = field(default_factory=dict)
    instance_id: int | None = None
    revision: int | None = None
    state: object = None  # a callable returning the stored state text, or None for a new case
    now: datetime | None = None  # the platform's "now" for the engine's timers (None: wall clock)


class _Worker:
    _ids = iter(range(1, 1 << 62))

    def __init__(self, memory_bytes: int):
        self.id = next(self._ids)
        self.board = Board.create()  # where the worker notes the task it runs
        env = {**os.environ, "WORKFLOW_ENGINE_MEMORY": str(memory_bytes), "PYTHONDONTWRITEBYTECODE": "1",
               PROGRESS_ENV: str(self.board.fd)}
        boot = _BOOT.format(init=str(ENGINE_DIR / "__init__.py"), dir=str(ENGINE_DIR))
        # Unbuffered: select() must see every frame the worker wrote (a buffered reader could hold
        # the next frame in memory while the pipe looks empty).
        self.proc = subprocess.Popen([sys.executable, "-c", boot], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, close_fds=True, pass_fds=(self.board.fd,), bufsize=0)
        self.specs: set[str] = set()
        try:  # booting (imports) is not the work a deadline measures: wait for it apart
            ready = self.receive(BOOT_TIMEOUT)
        except (TimeoutError, wire.WireError) as error:
            self.kill()
            raise EngineUnavailable(f"an engine worker did not start: {error!r}") from error
        if "ready" not in ready:
            self.kill()
            raise EngineUnavailable("an engine worker did not start")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def send(self, message: dict) -> None:
        try:
            wire.write_frame(self.proc.stdin, message)
        except (BrokenPipeError, OSError) as error:
            raise wire.WireError(f"engine worker is gone: {error}") from error

    def receive(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], max(timeout, 0))
        if not ready:
            raise TimeoutError
        return wire.read_frame(self.proc.stdout)

    def kill(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self.proc.kill()
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                stream.close()
        with contextlib.suppress(Exception):
            self.board.close()


class _Pool:
    def __init__(self, memory_bytes: int, size: int, wait: float):
        self.memory_bytes, self.size, self.wait = memory_bytes, max(1, size), wait
        self.idle: list[_Worker] = []
        self.count = 0
        self.cond = threading.Condition()
        self.pid = os.getpid()

    def acquire(self, prefer: int | None = None) -> _Worker:
        deadline = time.monotonic() + self.wait
        with self.cond:
            while True:
                self.idle = [w for w in self.idle if w.alive or self._forget(w)]
                chosen = next((w for w in self.idle if w.id == prefer), None) or (self.idle[-1] if self.idle else None)
                if chosen is not None:
                    self.idle.remove(chosen)
                    return chosen
                if self.count < self.size:
                    self.count += 1
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EngineUnavailable("every engine worker is busy; please try again")
                self.cond.wait(left)
        try:
            return _Worker(self.memory_bytes)
        except Exception:
            with self.cond:
                self.count -= 1
                self.cond.notify()
            raise

    def _forget(self, worker: _Worker) -> bool:
        self.count -= 1
        worker.kill()
        return False

    def release(self, worker: _Worker) -> None:
        with self.cond:
            if worker.alive:
                self.idle.append(worker)
            else:
                self.count -= 1
            self.cond.notify()

    def discard(self, worker: _Worker) -> None:
        worker.kill()
        with self.cond:
            self.count -= 1
            self.cond.notify()

    def close(self) -> None:
        with self.cond:
            for worker in self.idle:
                worker.kill()
            self.count -= len(self.idle)
            self.idle = []


class Engine:
    """The platform's handle on the engine (one per app)."""

    def __init__(self, *, isolated: bool = True, workers: int = 4, time_limit: float = 5.0,
                 memory_mb: int = 768, step_limit: int = 1_000_000, max_bytes: int = 8_000_000,
                 run_cache: int = 512, wait: float = 30.0):
        self.isolated = isolated
        self.time_limit, self.step_limit, self.max_bytes = time_limit, step_limit, max_bytes
        self._pool_args = (memory_mb * 1024 * 1024, workers, wait)
        self._lock = threading.Lock()
        self._runs: OrderedDict = OrderedDict()  # instance id -> (revision, worker id | None, token | run)
        self._run_cache = run_cache

    # --- the run cache ------------------------------------------------------------------------
    def remember(self, instance_id: int, revision: int, outcome: Outcome, worker_id: int | None) -> None:
        """After a commit: the run of ``revision`` is held by that worker (or, in-process, here)."""
        if self._run_cache <= 0 or outcome.token is None:
            return
        with self._lock:
            self._runs[instance_id] = (revision, worker_id, outcome.token)
            self._runs.move_to_end(instance_id)
            while len(self._runs) > self._run_cache:
                self._runs.popitem(last=False)

    def _cached(self, request: Request) -> tuple[int | None, object] | None:
        if request.instance_id is None:
            return None
        with self._lock:
            hit = self._runs.pop(request.instance_id, None)
        if hit is None or hit[0] != request.revision:
            return None
        return hit[1], hit[2]

    def forget(self) -> None:
        with self._lock:
            self._runs.clear()

    # --- actions --------------------------------------------------------------------------------
    def perform(self, request: Request, functions: dict) -> tuple[Outcome, int | None]:
        """Run ``request``; returns the outcome and the worker that now holds its run (pass both to
        ``remember`` once committed). Raises TaskNotReady when the action no longer applies."""
        if not self.isolated:
            return self._perform_here(request, functions), None
        poison: list = []
        for _attempt in range(MAX_REPLAYS + 1):
            cached = self._cached(request) if not poison else None
            worker = self.pool().acquire(prefer=cached[0] if cached else None)
            try:
                token = cached[1] if cached and cached[0] == worker.id else None
                reply = self._exchange(worker, request, functions, token, poison)
            except _Hung as hung:
                self.pool().discard(worker)
                if hung.last is None or hung.last in poison:
                    return self._gave_up(request, str(hung)), None
                log.warning("engine worker stopped at %s (%s); replaying with it failed", hung.last, hung)
                poison.append(hung.last)
                continue
            except BaseException:
                self.pool().discard(worker)
                raise
            self.pool().release(worker)
            if "not_ready" in reply:
                raise TaskNotReady(reply["not_ready"])
            if "refused" in reply:
                raise SubmissionRefused(reply["refused"])
            if "error" in reply:
                return self._gave_up(request, reply["error"]), None
            return wire.outcome_in(reply["outcome"]), worker.id
        return self._gave_up(request, TIME_LIMIT_MESSAGE), None

    def _exchange(self, worker: _Worker, request: Request, functions: dict, token, poison) -> dict:
        try:
            if request.spec.key not in worker.specs:
                self._call(worker, {"op": "spec", "key": request.spec.key, "spec_json": request.spec.spec_json}, {})
                worker.specs.add(request.spec.key)
            message = {"op": "act", "spec": request.spec.key, "kind": request.kind,
                       "args": serializer.to_wire(request.args), "functions": sorted(functions),
                       "step_limit": self.step_limit, "max_bytes": self.max_bytes, "poison": poison,
                       "now": request.now.isoformat() if request.now else None}
            if token:
                message["token"] = token
            elif request.state is not None:
                message["state"] = request.state()
            reply = self._call(worker, message, functions)
            if reply.get("missing") == "run" and request.state is not None:
                message.pop("token", None)
                message["state"] = request.state()
                reply = self._call(worker, message, functions)
            return reply
        except wire.WireError as error:
            raise _Hung(getattr(error, "last", None), str(error)) from error

    def _call(self, worker: _Worker, message: dict, functions: dict) -> dict:
        """Send ``message`` and serve the worker until it answers; raise _Hung when one task (or
        the wait for the first) outlasts the time limit. The worker notes each task it starts on
        its shared page; that is looked at only while no answer comes, every eighth of the limit,
        so a task is stopped between 1 and 1⅛ limits after it began."""
        board = worker.board
        first = seen = board.sequence()  # before sending: the worker may note a task at once
        worker.send(message)
        began = time.monotonic()
        while True:
            now = time.monotonic()
            try:
                frame = worker.receive(min(self.time_limit / 8, began + self.time_limit - now))
            except TimeoutError:
                if board.sequence() != seen:  # a new task began since the last look
                    seen, began = board.sequence(), time.monotonic()
                elif time.monotonic() - began >= self.time_limit:
                    raise _Hung(self._running(board, first), f"no answer within {self.time_limit} s") from None
                continue
            except wire.WireError as error:
                error.last = self._running(board, first)
                raise
            if "call" in frame:
                worker.send(self._serve(frame, functions))
                began = time.monotonic()
            else:
                return frame

    @staticmethod
    def _running(board: Board, first: int) -> tuple | None:
        """The task the worker was running, if it started one during this call."""
        return board.last() if board.sequence() != first else None

    @staticmethod
    def _serve(frame: dict, functions: dict) -> dict:
        function = functions.get(frame["call"])
        if function is None:
            return {"error": f"no function {frame['call']!r}"}
        try:
            args = serializer.from_wire(frame.get("args") or [])
            kwargs = serializer.from_wire(frame.get("kwargs") or {})
            return {"result": serializer.to_wire(function(*args, **kwargs))}
        except Exception as error:  # the script sees it as an error of its own
            return {"error": f"{type(error).__name__}: {error}"[:500]}

    def _gave_up(self, request: Request, why: str) -> Outcome:
        """The action could not be carried out: the case keeps its stored state, in error."""
        if request.state is None:
            raise EngineUnavailable(f"the process could not start: {why}")
        run = ProcessRun.restore(request.spec, request.state())
        failure = TaskFailure(task_id=None, bpmn_id=None, task_name=None, message=why, line=None, error_line=None)
        return Outcome(state=run.dump(), case_data=run.case_data(), ready=run.ready_tasks(),
                       timers=run.pending_timers(), completed=run.completed, events=[], failure=failure,
                       waiting=run.waiting_events())

    def _perform_here(self, request: Request, functions: dict) -> Outcome:
        cached = self._cached(request)
        run = cached[1] if cached else None
        if run is None and request.state is not None:
            run = ProcessRun.restore(request.spec, request.state(), functions, self.step_limit)
        elif run is None:
            run = ProcessRun.start(request.spec, request.args.get("data") or {}, functions, self.step_limit)
        else:
            run.use_functions(functions, self.step_limit)
        with timers.frozen_now(request.now):
            outcome = actions.perform(run, request.kind, request.args, self.max_bytes)
        outcome.token = run  # in-process, the "token" is the run itself
        return outcome

    def evaluate(self, expression: str, data: dict | None, functions: dict):
        """Evaluate one expression (a timer start's schedule, say) under the same limits."""
        if not self.isolated:
            return SandboxEnvironment(functions, self.step_limit).evaluate(expression, dict(data or {}))
        worker = self.pool().acquire()
        try:
            reply = self._call(worker, {"op": "evaluate", "expression": expression,
                                        "data": serializer.to_wire(data or {}), "functions": sorted(functions),
                                        "step_limit": self.step_limit}, functions)
        except (_Hung, wire.WireError) as error:
            self.pool().discard(worker)
            raise ValueError(f"the expression did not finish: {error}") from error
        self.pool().release(worker)
        if "error" in reply:
            raise ValueError(reply["error"])
        return serializer.from_wire(reply.get("value"))

    def pool(self) -> _Pool:
        return _shared_pool(self._pool_args)


_POOLS: dict = {}
_POOLS_LOCK = threading.Lock()


def _shared_pool(args: tuple) -> _Pool:
    """One pool per process and configuration, shared by every app in it (tests build many);
    a forked process (a gunicorn worker) starts its own."""
    with _POOLS_LOCK:
        pool = _POOLS.get(args)
        if pool is None or pool.pid != os.getpid():
            pool = _POOLS[args] = _Pool(*args)
        return pool


def shutdown() -> None:
    """Stop this process's engine workers (at exit)."""
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            if pool.pid == os.getpid():
                pool.close()
        _POOLS.clear()


atexit.register(shutdown)


__all__ = ["Engine", "EngineUnavailable", "Request", "SubmissionRefused", "TaskNotReady", "actions"]
