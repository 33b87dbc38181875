"""Designer-authored code that tries to hang or exhaust the server, in every place a model holds
code: scripts, gateway conditions, timer expressions, DMN cells. Each case ends in error with a
message (retryable), the request that ran it returns, and the server answers other requests
within a second while it runs.

Several payloads per class: CPU inside built-ins, big integers, memory, endless loops and
recursion, a library-level loop (a timer of 99,999,999,999 years), and data that cannot be stored.
"""

import threading
import time

import pytest

from tests import models
from tests.support import ApiClient

TIME_LIMIT = 0.5

# Sized to outlast the time limit on any machine (10 ** 6 steps finished inside 0.5 s on a quiet one).
CPU = {
    "sum over a lambda": "x = sum(map(lambda v: v * v, range(10 ** 9)))",
    "sorted by a lambda": "x = sorted(range(10 ** 8), key=lambda v: -v)",
    "nested comprehension": "x = [i for i in range(10 ** 6) for j in range(10 ** 6)]",
    "filter with a lambda": "x = len(list(filter(lambda v: v % 3, range(10 ** 9))) * 2) + len(list(filter("
                            "lambda v: v % 3, range(10 ** 9))))",
}
BIG_INTEGERS = {
    "power of a power": "x = (10 ** 10000) ** 10000",
    "repeated squaring": "x = 3\nfor i in range(64):\n    x = x * x",
    "huge shift": "x = 1 << 10 ** 10",
    "pow builtin": "x = pow(7, 10 ** 8)",
    "in-place power": "x = 10\nx **= 10 ** 9",
}
MEMORY = {
    "lists of lists": "x = [[0] * 10 ** 6 for i in range(10 ** 4)]",
    "doubling string": "x = 'ab'\nfor i in range(60):\n    x = x + x",
    "format width": "x = '{:>1000000000}'.format(1)",
    "dict of lists": "x = {i: [0] * 10 ** 6 for i in range(5000)}",
}
ENDLESS = {
    "while true": "i = 0\nwhile True:\n    i = i + 1",
    "recursion": "def f(n):\n    return f(n + 1)\nx = f(0)",
    "mutual loop in a lambda": "f = lambda g, n: g(g, n + 1)\nx = f(f, 0)",
}
UNSTORABLE = {
    "list containing itself": "a = [1]\na.append(a)",
    "dict containing itself": "a = {}\na['me'] = a",
}
SCRIPTS = {**CPU, **BIG_INTEGERS, **MEMORY, **ENDLESS, **UNSTORABLE}

CONDITIONS = {
    "cpu": "sum(map(lambda v: v, range(10 ** 7))) > 0",
    "big integer": "(10 ** 100000) ** 100000 > 0",
    "memory": "len([[0] * 10 ** 6 for i in range(10 ** 4)]) > 0",
}
TIMERS = {
    "a duration of 99,999,999,999 years": '"P" + "9" * 11 + "Y"',
    "cpu in the expression": '"PT" + str(sum(map(lambda v: 1, range(10 ** 7)))) + "S"',
    "big integer in the expression": '"PT" + str((10 ** 100000) ** 100000) + "S"',
}
DMN_CELLS = {
    "cpu": "sum(map(lambda v: v, range(10 ** 7))) > 0",
    "big integer": "(10 ** 100000) ** 100000 > 0",
}


@pytest.fixture
def hostile(demo_org, make_app):
    app = make_app(SCRIPT_TIME_LIMIT=TIME_LIMIT, SCRIPT_MEMORY_MB=512)
    return ApiClient(app)


def _script_model(script: str) -> bytes:
    return models.simple("hostile", models.user_task("fill", "填写"), models.script_task("evil", _xml(script)),
                         models.user_task("after", "后续"),
                         lanes={"grid_worker": ["start", "fill", "evil", "after", "end"]})


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _condition_model(condition: str) -> bytes:
    body = ('<bpmn:startEvent id="start"/>' + models.user_task("fill", "填写")
            + '<bpmn:exclusiveGateway id="gw" default="f_no"/>' + models.user_task("yes", "是")
            + models.user_task("no", "否") + '<bpmn:endEvent id="end"/>'
            + models.chain("start", "fill", "gw") + models.flow("f_yes", "gw", "yes", _xml(condition))
            + models.flow("f_no", "gw", "no") + models.chain("yes", "end") + models.flow("f_no_end", "no", "end"))
    return models.process("hostile", body, {"grid_worker": ["start", "fill", "gw", "yes", "no", "end"]})


def _timer_model(expression: str) -> bytes:
    wait = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>'
            f"{_xml(expression)}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")
    body = ('<bpmn:startEvent id="start"/>' + models.user_task("fill", "填写") + wait
            + models.user_task("after", "后续") + '<bpmn:endEvent id="end"/>'
            + models.chain("start", "fill", "wait", "after", "end"))
    return models.process("hostile", body, {"grid_worker": ["start", "fill", "wait", "after", "end"]})


def _dmn_bundle(cell: str) -> dict:
    dmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="恶意" namespace="http://x">
  <decision id="hostile_decision" name="恶意判断">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1" label="数"><inputExpression id="ie1" typeRef="integer"><text>n</text></inputExpression></input>
      <output id="o1" label="结果" name="verdict" typeRef="string"/>
      <rule id="r1"><inputEntry id="e1"><text>{_xml(cell)}</text></inputEntry>
        <outputEntry id="oe1"><text>"yes"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""
    rule = ('<bpmn:businessRuleTask id="decide" name="判断"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
            'hostile_decision</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>')
    model = models.simple("hostile", models.user_task("fill", "填写"), rule, models.user_task("after", "后续"),
                          lanes={"grid_worker": ["start", "fill", "decide", "after", "end"]})
    return {"hostile.bpmn": model, "hostile.dmn": dmn.encode()}


def _run_hostile(api: ApiClient, files: dict, data: dict | None = None) -> dict:
    """Deploy, start, complete the first task (which reaches the hostile code) while another
    request is timed; returns the case."""
    deployed = api.deploy(files)
    assert deployed.status_code == 201, deployed.get_json()
    started = api.start("hostile", "dc-dm-01", {"n": 1, **(data or {})}, "worker-dc-dm-01")
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    [task] = api.tasks("worker-dc-dm-01", instance_id=case_id)
    other = ApiClient(api.app)
    other._tokens = dict(api._tokens)
    answered = {}

    def complete():
        answered["completion"] = api.complete(task["id"], "worker-dc-dm-01", {"note": "提交"})

    baseline_began = time.monotonic()
    assert other.get("/inbox", "staff-dc-dm").status_code == 200
    baseline = time.monotonic() - baseline_began  # what the same request costs on this machine right now
    worker = threading.Thread(target=complete)
    began = time.monotonic()
    worker.start()
    time.sleep(0.05)
    probe_began = time.monotonic()
    probe = other.get("/inbox", "staff-dc-dm")
    answered["probe_seconds"] = time.monotonic() - probe_began - baseline
    worker.join(60)
    assert not worker.is_alive(), "the request that ran the hostile code never returned"
    assert probe.status_code == 200
    assert answered["probe_seconds"] < 1.0, f"the server took {answered['probe_seconds']:.2f} s to answer meanwhile"
    assert time.monotonic() - began < 30
    completion = answered["completion"]
    assert completion.status_code == 200, completion.get_json()
    return api.instance(case_id)


def _assert_in_error(case: dict, element: str) -> None:
    assert case["status"] == "error", case.get("error")
    assert case["error"]["message"], case["error"]
    assert case["error"].get("bpmn_id") in (element, None) or case["error"]["bpmn_id"], case["error"]
    assert case["history"][-1]["kind"] == "instance_error"


@pytest.mark.parametrize("script", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_a_hostile_script_puts_the_case_in_error_and_the_server_stays_responsive(hostile, script):
    case = _run_hostile(hostile, {"hostile.bpmn": _script_model(script)})
    _assert_in_error(case, "evil")
    assert case["error"]["bpmn_id"] == "evil"


@pytest.mark.parametrize("condition", CONDITIONS.values(), ids=CONDITIONS.keys())
def test_a_hostile_condition_puts_the_case_in_error(hostile, condition):
    _assert_in_error(_run_hostile(hostile, {"hostile.bpmn": _condition_model(condition)}), "gw")


@pytest.mark.parametrize("expression", TIMERS.values(), ids=TIMERS.keys())
def test_a_hostile_timer_puts_the_case_in_error(hostile, expression):
    _assert_in_error(_run_hostile(hostile, {"hostile.bpmn": _timer_model(expression)}), "wait")


@pytest.mark.parametrize("cell", DMN_CELLS.values(), ids=DMN_CELLS.keys())
def test_a_hostile_dmn_cell_puts_the_case_in_error(hostile, cell):
    _assert_in_error(_run_hostile(hostile, _dmn_bundle(cell)), "decide")


def test_a_case_stopped_by_a_limit_is_retryable(hostile):
    case = _run_hostile(hostile, {"hostile.bpmn": _script_model("x = 1\nwhile x < goal:\n    x = x + 1")},
                        {"goal": 10 ** 12})
    assert case["status"] == "error" and case["error"]["bpmn_id"] == "evil"
    retried = hostile.post(f"/instances/{case['id']}/retry", "admin", json={"data": {"goal": 10}})
    assert retried.status_code == 200, retried.get_json()
    after = hostile.instance(case["id"])
    assert after["status"] == "running" and after["data"]["x"] == 10
    assert [t["bpmn_id"] for t in after["tasks"]] == ["after"]
