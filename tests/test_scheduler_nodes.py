"""Several scheduler processes against one PostgreSQL: every due timer fires exactly once, and a
scheduler killed mid-sweep loses nothing."""

import signal
import time

import pytest

from tests.bulk import due_cases, fired_counts, open_after_tasks, scheduler_process, waiter_model
from tests.conftest import ON_POSTGRES
from tests.support import ok

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="scheduler nodes share work through PostgreSQL row locks")
COUNT = 600


def _wait(process, seconds=240) -> str:
    output, _ = process.communicate(timeout=seconds)
    assert process.returncode == 0, output
    return output


def test_two_schedulers_fire_every_timer_exactly_once(api, database_url):
    ok(api.deploy({"waiter.bpmn": waiter_model()}), 201)
    ids = due_cases(api, COUNT)
    nodes = [scheduler_process(database_url, "--once") for _ in range(2)]
    outputs = [_wait(node) for node in nodes]
    counts = fired_counts(api.app, ids)
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    assert open_after_tasks(api.app, ids) == COUNT
    shares = [int(out.strip().splitlines()[-1].split('"fired": ')[1].split(",")[0]) for out in outputs]
    assert sum(shares) == COUNT and all(share > 0 for share in shares), shares  # both nodes did work


def test_a_scheduler_killed_mid_sweep_loses_nothing(api, database_url):
    ok(api.deploy({"waiter.bpmn": waiter_model()}), 201)
    ids = due_cases(api, COUNT)
    node = scheduler_process(database_url, "--interval", "1", lease=2)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        fired = sum(fired_counts(api.app, ids).values())
        if fired >= 20:
            break
        time.sleep(0.2)
    node.send_signal(signal.SIGKILL)
    node.wait(10)
    assert 20 <= fired < COUNT, "the scheduler was not caught mid-sweep"
    time.sleep(2.5)  # the killed node's leases run out
    _wait(scheduler_process(database_url, "--once"))
    counts = fired_counts(api.app, ids)
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    assert open_after_tasks(api.app, ids) == COUNT
