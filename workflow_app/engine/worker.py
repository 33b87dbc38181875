"""An engine worker: a child process that runs engine actions under operating-system limits.

The platform (``isolation``) starts a few of these and sends them actions over a pipe. Every
script, condition, timer expression and DMN cell of a designer's model is evaluated here, never
in the web or scheduler process, with:

- an address-space limit (``RLIMIT_AS``): a memory bomb raises MemoryError here and fails its task;
- no file writes (``RLIMIT_FSIZE`` 0) and no new file descriptors (``RLIMIT_NOFILE`` set to what is
  open once everything is imported), so no file and no socket can be opened even if the script
  sandbox were escaped;
- a deadline per task kept by the platform (the worker notes each task on a shared page,
  ``progress``), which kills a worker that stops reporting (a
  computation that no Python-level guard can interrupt) and replays the action with that task
  failed instead of run.

Platform functions a script calls (calendar arithmetic, catalogue lookups…) are proxied back to
the platform over the same pipe; the worker itself has no database and no app.
"""

import os
import resource
import sys
import uuid
from collections import OrderedDict
from datetime import datetime

from . import actions, serializer, timers, wire
from .progress import Board
from .runtime import ProcessRun, SubmissionRefused, TaskNotReady
from .sandbox import SandboxEnvironment

RUN_CACHE = 64
SPEC_CACHE = 64


class FunctionFailed(RuntimeError):
    """A platform function the script called refused its arguments."""


def limit_resources(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def close_the_door() -> None:
    """No new file descriptors from now on: no files, no sockets, no pipes."""
    highest = max(int(fd) for fd in os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 2
    resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1, highest + 1))


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class Worker:
    def __init__(self, reader, writer, board: Board | None = None):
        self.reader, self.writer, self.board = reader, writer, board
        self.specs: _LRU = _LRU(SPEC_CACHE)
        self.runs: _LRU = _LRU(RUN_CACHE)

    def serve(self) -> None:
        while True:
            try:
                request = wire.read_frame(self.reader)
            except wire.WireError:
                return  # the platform went away
            wire.write_frame(self.writer, self.handle(request))

    def handle(self, request: dict) -> dict:
        op = request.get("op")
        try:
            if op == "spec":
                self.specs.put(request["key"], serializer.load_spec(request["spec_json"], {}))
                return {"ok": True}
            if op == "act":
                return self.act(request)
            if op == "evaluate":
                value = SandboxEnvironment(self.functions(request), request.get("step_limit", 1_000_000)).evaluate(
                    request["expression"], serializer.from_wire(request.get("data") or {}))
                return {"value": serializer.to_wire(value)}
            if op == "ping":
                return {"pong": os.getpid()}
            return {"error": f"unknown op {op!r}"}
        except MemoryError:
            return {"error": "the evaluation needed more memory than a case may use"}
        except Exception as error:  # reported to the platform, which decides
            return {"error": f"{type(error).__name__}: {error}"[:2000]}

    def functions(self, request: dict) -> dict:
        return {name: self._proxy(name) for name in request.get("functions") or []}

    def _proxy(self, name: str):
        def call(*args, **kwargs):
            wire.write_frame(self.writer, {"call": name, "args": serializer.to_wire(list(args)),
                                           "kwargs": serializer.to_wire(kwargs)})
            reply = wire.read_frame(self.reader)
            if "error" in reply:
                raise FunctionFailed(f"{name}: {reply['error']}")
            return serializer.from_wire(reply.get("result"))

        call.__name__ = name
        return call

    def _run(self, request: dict) -> ProcessRun | None:
        loaded = self.specs.get(request["spec"])
        if loaded is None:
            return None
        functions, limit = self.functions(request), request.get("step_limit", 1_000_000)
        token = request.get("token")
        if token:
            run = self.runs.pop(token, None)
            if run is not None:
                run.use_functions(functions, limit)
            return run
        if request.get("state"):
            return ProcessRun.restore(loaded, request["state"], functions, limit)
        return ProcessRun.start(loaded, serializer.from_wire(request["args"].get("data") or {}), functions, limit)

    def act(self, request: dict) -> dict:
        if request["spec"] not in self.specs:
            return {"missing": "spec"}
        run = self._run(request)
        if run is None:
            return {"missing": "run"}
        run.on_task = self.board.note if self.board else None
        run.poison = frozenset((b, n) for b, n in request.get("poison") or [])
        args = serializer.from_wire(request.get("args") or {})
        now = datetime.fromisoformat(request["now"]) if request.get("now") else None
        try:
            with timers.frozen_now(now):
                outcome = actions.perform(run, request["kind"], args, request.get("max_bytes", 8_000_000))
        except TaskNotReady as error:
            return {"not_ready": str(error)}
        except SubmissionRefused as refused:
            return {"refused": refused.errors}
        finally:
            run.on_task, run.poison = None, frozenset()
        outcome.token = uuid.uuid4().hex
        self.runs.put(outcome.token, run)
        return {"outcome": wire.outcome_out(outcome)}


def main() -> None:
    memory = int(os.environ.get("WORKFLOW_ENGINE_MEMORY", str(768 * 1024 * 1024)))
    reader, writer = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the pipe
    board = Board.attach()  # before the door closes: mapping the page takes a descriptor
    limit_resources(memory)
    close_the_door()
    wire.write_frame(writer, {"ready": os.getpid()})  # booted: the platform's deadlines start now
    Worker(reader, writer, board).serve()


if __name__ == "__main__":
    main()
