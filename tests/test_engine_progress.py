"""The shared page on which an engine worker notes the task it runs (engine.progress)."""

import struct
import time

import pytest

from tests import models
from workflow_app.engine import compile_bundle, isolation, load_spec
from workflow_app.engine.progress import SIZE, Board


def test_the_page_reads_back_what_was_noted_including_a_task_without_an_id():
    board = Board.create()
    try:
        assert board.last() is None and board.sequence() == 0
        board.note("community_handle", 3)
        assert board.last() == ("community_handle", 3) and board.sequence() == 2
        board.note(None, 1)
        assert board.last() == (None, 1)
        board.note("网格自处置" * 2000, 1)  # longer than the page: cut, still readable
        bpmn_id, nth = board.last()
        assert nth == 1 and bpmn_id.startswith("网格自处置") and len(bpmn_id.encode()) < SIZE
    finally:
        board.close()


def test_a_garbled_page_means_no_task_known_never_an_error():
    board = Board.create()
    try:
        board.map[0:SIZE] = b"\xff" * SIZE  # odd sequence for ever: a torn write
        assert board.last() is None
        board.map[0:16] = struct.pack("<QII", 2, 1, 5000)  # longer than the page
        assert board.last() is None
        board.map[0:20] = struct.pack("<QII", 4, 1, 4) + b"\xff\xfe\xfd\xfc"
        assert board.last() is None  # not UTF-8
    finally:
        board.close()


def test_an_action_wakes_the_platform_once_not_once_per_task(monkeypatch):
    """The worker notes its tasks on the page; over the pipe come only the answers."""
    frames = []
    real = isolation._Worker.receive

    def receive(self, timeout):
        frame = real(self, timeout)
        frames.append(next(iter(frame)))
        return frame

    monkeypatch.setattr(isolation._Worker, "receive", receive)
    model = models.simple("three", models.script_task("a", "x = 1"), models.script_task("b", "y = 2"),
                          models.script_task("c", "z = x + y"), models.user_task("wait", "等待"))
    loaded = load_spec(compile_bundle([("three.bpmn", model, "bpmn")], "three").spec_json, {})
    engine = isolation.Engine(workers=1)
    outcome, _worker = engine.perform(isolation.Request(loaded, "start", {"data": {}}), {})
    assert outcome.case_data["z"] == 3 and [t.bpmn_id for t in outcome.ready] == ["wait"]
    assert frames.count("running") == 0 and frames[-1] == "outcome"
    worker = engine.pool().acquire()
    try:
        assert worker.board.last() == ("c", 1) and worker.board.sequence() >= 6  # a, b, c noted
    finally:
        engine.pool().release(worker)


class _FastHangingWorker:
    """Notes its task the moment the request is sent (before the platform looks), then hangs."""

    def __init__(self):
        self.board = Board.create()

    def send(self, message):
        self.board.note("evil", 1)

    def receive(self, timeout):
        time.sleep(max(timeout, 0))
        raise TimeoutError


def test_a_task_noted_before_the_platform_looks_is_still_the_one_that_hung():
    worker = _FastHangingWorker()
    try:
        with pytest.raises(isolation._Hung) as hung:
            isolation.Engine(time_limit=0.2)._call(worker, {"op": "act"}, {})
        assert hung.value.last == ("evil", 1)
    finally:
        worker.board.close()
