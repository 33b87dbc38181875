"""Messages and signals from outside, over the HTTP API: correlation to exactly one waiting case,
404 for nothing waiting, 409 for ambiguity, idempotency by message_id, message start events,
signal broadcasts, and who may send."""

import pytest

from tests.support import ok

DEFS = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d_{pid}"'
        ' targetNamespace="http://example.test/bpmn">{messages}<bpmn:process id="{pid}" isExecutable="true">'
        '<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="grid_worker">{refs}</bpmn:lane></bpmn:laneSet>'
        '{body}</bpmn:process></bpmn:definitions>')


def _props(**values) -> str:
    props = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in values.items())
    return ("<bpmn:extensionElements><spiffworkflow:properties>"
            f"{props}</spiffworkflow:properties></bpmn:extensionElements>")


def _model(pid: str, catch: str, start: str = '<bpmn:startEvent id="start"/>') -> bytes:
    body = (start + catch + '<bpmn:userTask id="review" name="复核答复"/><bpmn:endEvent id="end"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="review"/>'
            '<bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>')
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in ("start", "wait", "review", "end"))
    messages = ('<bpmn:message id="m_reply" name="resident_reply"/><bpmn:message id="m_open" name="hotline_ticket"/>'
                '<bpmn:signal id="s_storm" name="storm_warning"/>')
    return DEFS.format(pid=pid, messages=messages, refs=refs, body=body).encode()


def awaiting_reply(**props) -> bytes:
    catch = (f'<bpmn:intermediateCatchEvent id="wait" name="等待居民答复">{_props(correlation="report_no", **props)}'
             '<bpmn:messageEventDefinition messageRef="m_reply"/></bpmn:intermediateCatchEvent>')
    return _model("await_reply", catch)


def awaiting_storm() -> bytes:
    catch = ('<bpmn:intermediateCatchEvent id="wait" name="等待预警"><bpmn:signalEventDefinition signalRef="s_storm"/>'
             '</bpmn:intermediateCatchEvent>')
    return _model("await_storm", catch)


def started_by_ticket() -> bytes:
    start = '<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="m_open"/></bpmn:startEvent>'
    catch = ('<bpmn:intermediateCatchEvent id="wait" name="等待居民答复">' + _props(correlation="report_no")
             + '<bpmn:messageEventDefinition messageRef="m_reply"/></bpmn:intermediateCatchEvent>')
    return _model("hotline", catch, start)


@pytest.fixture
def replies(api):
    assert api.deploy({"await_reply.bpmn": awaiting_reply()}).status_code == 201
    cases = {}
    for number in (101, 102):
        response = api.start("await_reply", "dc-dm-01", {"report_no": number}, "worker-dc-dm-01")
        assert response.status_code == 201, response.get_json()
        cases[number] = response.get_json()["id"]
    return cases


def _send(api, user="worker-dc-dm-01", **body):
    return api.post("/messages", user, json=body)


def test_a_message_correlates_to_exactly_one_waiting_case(api, replies):
    sent = _send(api, name="resident_reply", correlation={"report_no": 102}, data={"answer": "已修好"})
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["delivered"] == [replies[102]]
    reached = api.instance(replies[102])
    assert [t["bpmn_id"] for t in reached["tasks"]] == ["review"]
    assert reached["data"]["answer"] == "已修好"
    assert "message_received" in [e["kind"] for e in reached["history"]]
    untouched = api.instance(replies[101])
    assert untouched["tasks"] == [] and "answer" not in untouched["data"]


def test_unknown_or_unmatched_messages_are_404(api, replies):
    assert _send(api, name="nobody_listens").status_code == 404
    missed = _send(api, name="resident_reply", correlation={"report_no": 999})
    assert missed.status_code == 404 and missed.get_json()["reason"] == "not_found"


def test_an_ambiguous_message_is_409(api, replies):
    ambiguous = _send(api, name="resident_reply", data={"answer": "?"})
    assert ambiguous.status_code == 409
    assert all(api.instance(c)["tasks"] == [] for c in replies.values())


def test_case_id_correlates_too(api, replies):
    sent = _send(api, name="resident_reply", correlation={"case_id": replies[101]})
    assert sent.status_code == 200 and sent.get_json()["delivered"] == [replies[101]]


def test_a_repeated_message_id_is_a_no_op(api, replies):
    first = _send(api, name="resident_reply", correlation={"report_no": 101}, data={"answer": "一"},
                  message_id="hotline-2026-0001")
    again = _send(api, name="resident_reply", correlation={"report_no": 101}, data={"answer": "二"},
                  message_id="hotline-2026-0001")
    assert first.status_code == again.status_code == 200
    assert first.get_json()["duplicate"] is False and again.get_json()["duplicate"] is True
    assert again.get_json()["delivered"] == [replies[101]]
    case = api.instance(replies[101])
    assert case["data"]["answer"] == "一"
    assert [e["kind"] for e in case["history"]].count("message_received") == 1


def test_outsiders_may_not_send_and_sender_roles_are_data(api):
    assert api.deploy({"await_reply.bpmn": awaiting_reply(sender_roles="department_staff")}).status_code == 201
    case = ok(api.start("await_reply", "dc-dm-01", {"report_no": 5}, "worker-dc-dm-01"), 201).get_json()["id"]
    refused = _send(api, "worker-xs-sq-01", name="resident_reply", correlation={"report_no": 5})
    assert refused.status_code == 403
    refused_too = _send(api, "worker-dc-dm-01", name="resident_reply", correlation={"report_no": 5})
    assert refused_too.status_code == 403  # the model says only departments send this one
    allowed = _send(api, "dept-cg-staff", name="resident_reply", correlation={"report_no": 5})
    assert allowed.status_code == 200 and allowed.get_json()["delivered"] == [case]


def test_a_message_start_event_starts_a_case(api):
    assert api.deploy({"hotline.bpmn": started_by_ticket()}).status_code == 201
    needs_unit = _send(api, name="hotline_ticket", data={"report_no": 7})
    assert needs_unit.status_code == 422 and "org_unit" in needs_unit.get_json()["errors"]
    started = _send(api, name="hotline_ticket", data={"report_no": 7, "summary": "噪音扰民"}, org_unit="dc-dm-01")
    assert started.status_code == 200, started.get_json()
    case_id = started.get_json()["started"]
    assert api.instance(case_id)["data"]["summary"] == "噪音扰民"
    reply = _send(api, name="resident_reply", correlation={"report_no": 7}, data={"answer": "好"})
    assert reply.status_code == 200 and reply.get_json()["delivered"] == [case_id]


def test_a_signal_reaches_every_waiting_case_in_the_unit(api):
    assert api.deploy({"await_storm.bpmn": awaiting_storm()}).status_code == 201
    here = [ok(api.start("await_storm", grid, {}, f"worker-{grid}"), 201).get_json()["id"]
            for grid in ("dc-dm-01", "dc-bg-01")]
    there = ok(api.start("await_storm", "xs-sq-01", {}, "worker-xs-sq-01"), 201).get_json()["id"]
    sent = api.post("/signals", "leader-dc", json={"name": "storm_warning", "data": {"level": "橙色"},
                                                   "org_unit": "dc"})
    assert sent.status_code == 200, sent.get_json()
    assert sorted(sent.get_json()["delivered"]) == sorted(here)
    assert all(api.instance(c)["data"]["level"] == "橙色" for c in here)
    assert api.instance(there)["tasks"] == []
    nothing = api.post("/signals", "leader-dc", json={"name": "storm_warning", "org_unit": "dc"})
    assert nothing.status_code == 200 and nothing.get_json()["delivered"] == []


def test_message_payload_is_checked_like_any_case_data(api, replies):
    refused = _send(api, name="resident_reply", correlation={"report_no": 101}, data={"typename": "x"})
    assert refused.status_code == 422
    nested = _send(api, name="resident_reply", correlation={"report_no": {"a": 1}})
    assert nested.status_code == 422


def test_an_unknown_effect_is_refused_at_deploy(api):
    props = _props(effect="mail.send_everyone")
    body = (f'<bpmn:startEvent id="start"/><bpmn:scriptTask id="notify" name="通知">{props}'
            '<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask><bpmn:endEvent id="end"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="end"/>')
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in ("start", "notify", "end"))
    refused = api.deploy({"effecty.bpmn": DEFS.format(pid="effecty", messages="", refs=refs, body=body).encode()})
    assert refused.status_code == 422, refused.get_json()
    [problem] = refused.get_json()["errors"]
    assert problem["element"] == "notify" and problem["file"] == "effecty.bpmn" and problem["line"]
    assert "mail.send_everyone" in problem["message"] and "sla.extend" in problem["message"]
