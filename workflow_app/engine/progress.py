"""Which task an engine worker is running: one page of memory shared by the worker and the platform.

The platform keeps a deadline per task (``isolation``): it must know when the worker starts a new
task, and which task it was running if it has to be killed. Telling it over the pipe woke the
platform once per task (four or five times for a plain completion); the worker now writes the task
on this page instead, and the platform looks at it only when it has waited a while without an
answer. A fast action therefore costs one wake-up: its answer.

Layout (little-endian): a sequence number (odd while the worker is writing), the run count of the
task (``nth``), the length of its BPMN id, then the id in UTF-8. The platform reads it like a
seqlock and treats whatever it finds as untrusted: a worker runs designer-authored code, so a
garbled page only ever means "no task known", never an error.
"""

import mmap
import os
import struct
import tempfile

SIZE = 4096
_HEAD = struct.Struct("<QII")  # sequence, nth, length of the id
_MAX_ID = SIZE - _HEAD.size
ENV = "WORKFLOW_ENGINE_PROGRESS_FD"
_NO_ID = 0xFFFFFFFF  # a task without a BPMN id (the engine's own start and end tasks)


class Board:
    """The shared page. The platform ``create``s it and passes ``fd`` to the worker, which
    ``attach``es to it before it closes its door on new file descriptors."""

    def __init__(self, fd: int):
        self.fd = fd
        self.map = mmap.mmap(fd, SIZE)
        self._sequence = 0

    @classmethod
    def create(cls) -> "Board":
        if hasattr(os, "memfd_create"):
            fd = os.memfd_create("workflow-engine-progress")
        else:  # not Linux: an unlinked temporary file does the same
            fd, path = tempfile.mkstemp(prefix="workflow-engine-progress-")
            os.unlink(path)
        os.ftruncate(fd, SIZE)
        return cls(fd)

    @classmethod
    def attach(cls) -> "Board | None":
        raw = os.environ.get(ENV)
        if not raw:
            return None
        return cls(int(raw))

    # --- the worker's side ---------------------------------------------------------------------
    def note(self, bpmn_id: str | None, nth: int) -> None:
        """The worker is about to run ``bpmn_id`` for the ``nth`` time."""
        raw = b"" if bpmn_id is None else str(bpmn_id).encode("utf-8", "replace")[:_MAX_ID]
        length = _NO_ID if bpmn_id is None else len(raw)
        self._sequence += 2
        self.map[0:8] = struct.pack("<Q", self._sequence - 1)  # odd: being written
        self.map[8:_HEAD.size + len(raw)] = struct.pack("<II", nth, length) + raw
        self.map[0:8] = struct.pack("<Q", self._sequence)

    # --- the platform's side -------------------------------------------------------------------
    def sequence(self) -> int:
        return struct.unpack_from("<Q", self.map, 0)[0]

    def last(self) -> tuple[str | None, int] | None:
        """The task last noted, or None when the page holds nothing readable."""
        for _attempt in range(100):
            before = self.sequence()
            if before % 2:
                continue
            _seq, nth, length = _HEAD.unpack_from(self.map, 0)
            raw = bytes(self.map[_HEAD.size:_HEAD.size + min(length, _MAX_ID)])
            if self.sequence() != before:
                continue
            if before == 0:
                return None
            if length == _NO_ID:
                return None, int(nth)
            if length > _MAX_ID:
                return None
            try:
                return raw.decode("utf-8"), int(nth)
            except UnicodeDecodeError:
                return None
        return None

    def close(self) -> None:
        try:
            self.map.close()
        finally:
            os.close(self.fd)
