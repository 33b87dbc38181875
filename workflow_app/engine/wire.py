"""What crosses the pipe between the platform and an engine worker: length-prefixed JSON frames.

JSON, not pickle: a worker runs designer-authored code, so nothing it sends may be able to make
the platform run code. Task data travels in the engine serializer's own encoding (dates,
decimals…); engine results travel as the plain values of ``types``.
"""

import json
import struct
from dataclasses import asdict
from datetime import datetime

from .serializer import from_wire, to_wire
from .types import Outcome, PendingTimer, ReadyTask, StepEvent, TaskFailure, Waiting

MAX_FRAME = 64 * 1024 * 1024
_HEADER = struct.Struct(">I")


class WireError(RuntimeError):
    """The other side sent something that is not a frame, or went away."""


def write_frame(stream, message: dict) -> None:
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) > MAX_FRAME:
        raise WireError(f"frame of {len(body)} bytes is larger than {MAX_FRAME}")
    data = memoryview(_HEADER.pack(len(body)) + body)
    while data:  # a raw pipe may take less than everything at once
        written = stream.write(data)
        data = data[written if written is not None else len(data):]
    stream.flush()


def _read_exact(stream, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise WireError("the other side closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(stream) -> dict:
    (size,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    if size > MAX_FRAME:
        raise WireError(f"frame of {size} bytes is larger than {MAX_FRAME}")
    try:
        message = json.loads(_read_exact(stream, size))
    except ValueError as error:
        raise WireError(f"not a JSON frame: {error}") from error
    if not isinstance(message, dict):
        raise WireError("a frame must be a JSON object")
    return message


# --- results --------------------------------------------------------------------------------------
def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def outcome_out(outcome: Outcome) -> dict:
    return {
        "state": outcome.state,
        "case_data": to_wire(outcome.case_data),
        "ready": [{**asdict(t), "data": to_wire(t.data)} for t in outcome.ready],
        "timers": [{**asdict(t), "due_at": _time(t.due_at)} for t in outcome.timers],
        "completed": outcome.completed,
        "events": [{**asdict(e), "data": to_wire(e.data)} for e in outcome.events],
        "failure": outcome.failure.as_dict() if outcome.failure else None,
        "fired": list(outcome.fired),
        "waiting": [{**asdict(w), "correlation": to_wire(w.correlation)} for w in outcome.waiting],
        "token": outcome.token,
        "changed_keys": list(outcome.changed_keys),
    }


def outcome_in(message: dict) -> Outcome:
    return Outcome(
        state=str(message["state"]),
        case_data=from_wire(message["case_data"]),
        ready=[ReadyTask(**{**t, "data": from_wire(t["data"])}) for t in message["ready"]],
        timers=[PendingTimer(**{**t, "due_at": _parse_time(t["due_at"])}) for t in message["timers"]],
        completed=bool(message["completed"]),
        events=[StepEvent(**{**e, "data": from_wire(e["data"])}) for e in message["events"]],
        failure=TaskFailure(**message["failure"]) if message.get("failure") else None,
        fired=list(message.get("fired") or []),
        waiting=[Waiting(**{**w, "correlation": from_wire(w["correlation"])}) for w in message.get("waiting") or []],
        token=message.get("token"),
        changed_keys=list(message.get("changed_keys") or []),
    )
