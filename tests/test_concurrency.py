"""Races on one case: the same task twice gives one success and one 409; different tasks both succeed."""

import threading

import pytest

from tests import models
from tests.support import ApiClient, ok, only, sample_bundle
from workflow_app.repository import instances as store

REPORT = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}


@pytest.fixture
def lockstep(monkeypatch):
    """Make the first engine action of each thread wait until both threads have acted on the same
    revision of the case, so both then try to write it."""
    barrier = threading.Barrier(2, timeout=10)
    seen = threading.local()
    original = store.perform

    def perform(instance, *args, **kwargs):
        result = original(instance, *args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return result

    monkeypatch.setattr(store, "perform", perform)
    return barrier


def _race(*calls):
    results = [None] * len(calls)

    def run(index, call):
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_completions_of_one_task_give_one_success_and_one_conflict(api, lockstep):
    ok(api.deploy(sample_bundle()), 201)
    case = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    other = ApiClient(api.app)  # a second client, as from another browser
    other._tokens = dict(api._tokens)
    results = _race(
        lambda: api.complete(task["id"], "staff-dc-dm", {"handling_note": "第一次提交"}),
        lambda: other.complete(task["id"], "staff-dc-dm", {"handling_note": "第二次提交"}),
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.get_json() for r in results]
    conflict = next(r for r in results if r.status_code == 409).get_json()
    assert conflict["reason"] == "conflict" and "not open" in conflict["message"]
    detail = api.instance(case["id"])
    assert [e["kind"] for e in detail["history"]].count("task_completed") == 1
    assert [t["bpmn_id"] for t in detail["tasks"]] == ["verify"]


def _parallel_model() -> bytes:
    body = (
        '<bpmn:startEvent id="start"/>'
        '<bpmn:parallelGateway id="fork"/>'
        + models.user_task("community_part", "社区会商") + models.user_task("town_part", "镇街会商")
        + '<bpmn:parallelGateway id="join"/>' + models.user_task("wrap_up", "汇总")
        + '<bpmn:endEvent id="end"/>'
        + models.chain("start", "fork") + models.flow("f1", "fork", "community_part")
        + models.flow("f2", "fork", "town_part") + models.flow("f3", "community_part", "join")
        + models.flow("f4", "town_part", "join") + models.chain("join", "wrap_up", "end")
    )
    lanes = {"community_staff": ["community_part"], "town_dispatcher": ["town_part", "wrap_up"],
             "grid_worker": ["start", "fork", "join", "end"]}
    return models.process("consult", body, lanes)


def test_completions_of_different_tasks_in_one_case_both_succeed(api, lockstep):
    ok(api.deploy({"consult.bpmn": _parallel_model()}), 201)
    case = ok(api.start("consult", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()
    community = only(api.tasks("staff-dc-dm"), "社区会商")
    town = only(api.tasks("dispatcher-dc"), "镇街会商")
    other = ApiClient(api.app)
    other._tokens = dict(api._tokens)
    results = _race(
        lambda: api.complete(community["id"], "staff-dc-dm", {"community_view": "同意"}),
        lambda: other.complete(town["id"], "dispatcher-dc", {"town_view": "同意"}),
    )
    assert [r.status_code for r in results] == [200, 200], [r.get_json() for r in results]
    detail = api.instance(case["id"])
    assert [t["bpmn_id"] for t in detail["tasks"]] == ["wrap_up"]
    assert detail["data"]["community_view"] == "同意" and detail["data"]["town_view"] == "同意"


def test_second_completion_after_the_first_is_a_conflict(api):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    assert api.complete(task["id"], "staff-dc-dm", {"handling_note": "好了"}).status_code == 200
    again = api.complete(task["id"], "staff-dc-dm", {"handling_note": "好了"})
    assert again.status_code == 409
    assert again.get_json()["reason"] == "conflict" and "not open" in again.get_json()["message"]
    missing = api.complete(999_999, "staff-dc-dm", {})
    assert missing.status_code == 404 and missing.get_json()["reason"] == "not_found", missing.get_json()
