"""Scripts run sandboxed: the known escapes never reach the OS; the case stops in error instead."""

import os
import re

import pytest

from tests import models
from tests.support import ok
from workflow_app.engine.sandbox import SandboxEnvironment, SandboxViolation, ScriptLimitExceeded

ESCAPES = {
    "dunder import": "pid = __import__('os').getpid()",
    "subclasses walk": "pid = [c for c in ().__class__.__base__.__subclasses__() "
                       "if c.__name__ == 'catch_warnings'][0]()._module.__builtins__['__import__']('os').getpid()",
    "import statement": "import os\npid = os.getpid()",
    "getattr builtin": "pid = getattr(getattr((), '__class__'), '__base__')",
    "generator frame": "g = (i for i in [1])\npid = g.gi_frame.f_back.f_globals",
    "str.format walk": "pid = '{0.__class__.__base__}'.format(0)",
    "open a file": "pid = open('/etc/passwd').read()",
    "eval": "pid = eval('1')",
    "exec": "exec('pid = 1')",
    "type builtin": "pid = type(0).__subclasses__",
    "class definition": "class A:\n    pass",
    "globals": "pid = globals()",
}


@pytest.mark.parametrize("script", ESCAPES.values(), ids=ESCAPES.keys())
def test_escape_is_stopped_in_the_sandbox(script):
    context = {}
    with pytest.raises(Exception) as caught:
        SandboxEnvironment().execute(script, context)
    assert "pid" not in context
    assert not isinstance(caught.value, SystemExit)


@pytest.mark.parametrize("script", [
    "i = 0\nwhile True:\n    i += 1",
    "x = 9 ** 9 ** 9",
    "x = 'a' * 10 ** 9",
    "x = list(range(10 ** 9))",
    "x = [i for i in range(10 ** 6) for j in range(10)]",
    "x = ''.ljust(10 ** 10)",
])
def test_resource_exhaustion_is_stopped(script):
    with pytest.raises(ScriptLimitExceeded):
        SandboxEnvironment(step_limit=100_000).execute(script, {})


def test_ordinary_scripts_work():
    context = {"items": [3, 1, 2], "name": "东门"}
    SandboxEnvironment({"double": lambda x: 2 * x}).execute(
        "total = sum(items)\nordered = sorted(items)\nlabel = f'{name}:{total}'\n"
        "big = double(total) ** 2\nfor i in range(3):\n    total += i\nparts = {'a': [x * 2 for x in items]}",
        context,
    )
    assert context == {"items": [3, 1, 2], "name": "东门", "total": 9, "ordered": [1, 2, 3],
                       "label": "东门:6", "big": 144, "parts": {"a": [6, 2, 4]}, "i": 2}


def test_policy_errors_carry_the_line():
    with pytest.raises(SandboxViolation) as caught:
        SandboxEnvironment().execute("a = 1\nb = ().__class__", {})
    assert caught.value.lineno == 2


def _script_model(script: str) -> dict:
    body = models.simple("scripted", models.user_task("fill", "填写"), models.script_task("calc", script),
                         models.user_task("after", "后续"))
    return {"scripted.bpmn": body}


@pytest.mark.parametrize("name", ["dunder import", "subclasses walk"])
def test_escape_in_a_deployed_model_puts_the_case_in_error(api, name):
    assert api.deploy(_script_model(ESCAPES[name])).status_code == 201
    started = ok(api.start("scripted", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()
    [task] = api.tasks("worker-dc-dm-01", instance_id=started["id"])
    done = api.complete(task["id"], "worker-dc-dm-01", {})
    assert done.status_code == 200 and done.get_json()["instance_status"] == "error"
    case = api.instance(started["id"])
    assert case["status"] == "error"
    assert case["error"]["bpmn_id"] == "calc" and case["error"]["line"] == 1
    assert "_" in case["error"]["message"]  # the sandbox names the forbidden name
    assert "pid" not in case["data"]  # the escape never ran, so nothing it found is stored
    assert not re.search(rf"(?<!\d){os.getpid()}(?!\d)", str(case))  # the pid as a number, not as digits of a time
    assert [e["kind"] for e in case["history"]][-1] == "instance_error"


def test_engine_error_is_recorded_and_admin_retries_with_a_correction(api):
    ok(api.deploy(_script_model("share = total / count")), 201)
    started = ok(api.start("scripted", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()
    [task] = api.tasks("worker-dc-dm-01", instance_id=started["id"])
    failed = ok(api.complete(task["id"], "worker-dc-dm-01", {"total": 10, "count": 0}), 200)
    assert failed.get_json()["instance_status"] == "error"  # the task is done; the script after it failed
    case = api.instance(started["id"])
    assert case["status"] == "error" and case["error"]["task_name"] == "calc"
    assert "ZeroDivisionError" in case["error"]["message"] and case["error"]["line"] == 1
    assert case["error"]["error_line"] == "share = total / count"

    assert api.post(f"/instances/{started['id']}/retry", "worker-dc-dm-01", json={}).status_code == 403
    retried = api.post(f"/instances/{started['id']}/retry", "admin", json={"data": {"count": 4}})
    assert retried.status_code == 200 and retried.get_json()["status"] == "running"
    case = api.instance(started["id"])
    assert case["data"]["share"] == 2.5 and [t["bpmn_id"] for t in case["tasks"]] == ["after"]
    retry_event = [e for e in case["history"] if e["kind"] == "instance_retried"][0]
    assert retry_event["actor"] == "admin" and retry_event["changed_keys"] == ["count"]
    assert api.post(f"/instances/{started['id']}/retry", "admin", json={}).status_code == 409
