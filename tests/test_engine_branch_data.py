"""Parallel branches keep their own data: SpiffWorkflow's data merge copies lists shallowly, and a
join then rewrote one branch's submitted list of objects with the other branch's (found by the
evaluation work: the community's ratings arrived as the grid worker's). Over the HTTP API."""

from tests import models
from tests.support import ok


def _model() -> bytes:
    body = ('<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>'
            + models.user_task("a", "甲") + models.user_task("b", "乙")
            + models.script_task("sa", "seen_a = v") + models.script_task("sb", "seen_b = v")
            + '<bpmn:parallelGateway id="join"/>' + models.user_task("after", "后") + '<bpmn:endEvent id="end"/>'
            + models.flow("f1", "start", "fork") + models.flow("f2", "fork", "a") + models.flow("f3", "fork", "b")
            + models.flow("f4", "a", "sa") + models.flow("f5", "b", "sb") + models.flow("f6", "sa", "join")
            + models.flow("f7", "sb", "join") + models.flow("f8", "join", "after")
            + models.flow("f9", "after", "end"))
    nodes = ["start", "fork", "a", "b", "sa", "sb", "join", "after", "end"]
    return models.process("branches", body, {"grid_worker": nodes})


def test_each_branch_keeps_the_list_its_person_submitted(api):
    ok(api.deploy({"branches.bpmn": _model()}), 201)
    case = ok(api.start("branches", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()["id"]
    tasks = {t["name"]: t for t in api.tasks("worker-dc-dm-01")}
    ok(api.complete(tasks["甲"]["id"], "worker-dc-dm-01", {"v": [{"unit": "城管局", "score": 5}]}))
    ok(api.complete(tasks["乙"]["id"], "worker-dc-dm-01", {"v": [{"unit": "住建局", "score": 2}]}))
    data = api.instance(case)["data"]
    assert data["seen_a"] == [{"unit": "城管局", "score": 5}]
    assert data["seen_b"] == [{"unit": "住建局", "score": 2}]  # was the other branch's list
    assert data["v"] == [{"unit": "住建局", "score": 2}]  # the library's rule: the last branch's value
