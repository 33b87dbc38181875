"""Dead ends found at deploy: a lane whose tasks would reach nobody is refused; a wait for a message
or signal that nothing can send is a warning (unless the model marks it as sent from outside)."""

import pytest

from tests import models

HEADER = models.HEADER.format(pid="d")


def lane_model(lane: str, lane_props: dict | None = None, task_props: dict | None = None,
               task: str = "userTask") -> bytes:
    def props(values):
        if not values:
            return ""
        items = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in values.items())
        return f"<bpmn:extensionElements><spiffworkflow:properties>{items}</spiffworkflow:properties>" \
               "</bpmn:extensionElements>"

    body = (f'<bpmn:laneSet id="ls"><bpmn:lane id="lane_x" name="{lane}">{props(lane_props)}'
            "<bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"
            f'<bpmn:startEvent id="start"/><bpmn:{task} id="work" name="办理">{props(task_props)}'
            + ("<bpmn:script>x = 1</bpmn:script>" if task == "scriptTask" else "")
            + f'</bpmn:{task}><bpmn:userTask id="after" name="后续"/><bpmn:endEvent id="end"/>'
            + models.chain("start", "work", "after", "end"))
    return (HEADER + '<bpmn:process id="lanes" isExecutable="true">' + body + "</bpmn:process></bpmn:definitions>"
            ).encode()


def test_a_lane_that_names_no_role_is_refused(api):
    content = lane_model("Reviewer")
    response = api.deploy({"lanes.bpmn": content})
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["errors"]
    assert (error["file"], error["element"], error["code"]) == ("lanes.bpmn", "lane_x", "lane.no_role")
    assert error["line"] == content.decode()[: content.decode().index('id="lane_x"')].count("\n") + 1
    assert "Reviewer" in error["message"] and "grid_worker" in error["message"] and "泳道" in error["message_zh"]
    assert api.get("/definitions", "designer").get_json() == []


@pytest.mark.parametrize(("lane", "lane_props", "task_props", "task"), [
    ("网格员", None, None, "userTask"),
    ("Grid worker", None, None, "userTask"),
    ("审核人", {"role": "community_staff"}, None, "userTask"),
    ("处置单位", {"role_from": "handler_role"}, None, "userTask"),
    ("上报人", None, None, "userTask"),
    ("Reviewer", None, {"role": "town_dispatcher"}, "userTask"),
    ("Robots", None, None, "scriptTask"),  # no human task in it: nobody needs to see it
])
def test_lanes_that_say_where_their_tasks_go_deploy(api, lane, lane_props, task_props, task):
    response = api.deploy({"lanes.bpmn": lane_model(lane, lane_props, task_props, task)})
    assert response.status_code == 201, response.get_json()


def test_a_lane_naming_an_unknown_role_in_its_property_is_refused(api):
    response = api.deploy({"lanes.bpmn": lane_model("审核人", {"role": "auditor"})})
    assert response.status_code == 422 and response.get_json()["errors"][0]["code"] == "lane.no_role"


def waits_model(pid: str, body: str, roots: str = "") -> bytes:
    return (HEADER.replace('id="defs_d"', f'id="defs_{pid}"') + roots
            + f'<bpmn:process id="{pid}" isExecutable="true">' + body + "</bpmn:process></bpmn:definitions>").encode()


MESSAGE = '<bpmn:message id="msg_paid" name="payment_received"{ext}/>'
EXTERNAL = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="external" '
            'value="true"/></spiffworkflow:properties></bpmn:extensionElements>')


def catch_body(event_ext: str = "") -> str:
    return ('<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait_paid" name="等待缴费">' + event_ext
            + '<bpmn:messageEventDefinition id="med" messageRef="msg_paid"/></bpmn:intermediateCatchEvent>'
            '<bpmn:endEvent id="end"/>' + models.chain("start", "wait_paid", "end"))


def warnings_of(api, files) -> list[dict]:
    response = api.deploy(files)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["warnings"]


def test_a_message_wait_nothing_sends_is_a_warning(api):
    content = waits_model("pay", catch_body(), MESSAGE.format(ext=""))
    [warning] = warnings_of(api, {"pay.bpmn": content})
    assert (warning["file"], warning["element"], warning["code"]) == ("pay.bpmn", "wait_paid", "wait.unreachable")
    assert warning["line"] == content.decode()[: content.decode().index('id="wait_paid"')].count("\n") + 1
    assert "payment_received" in warning["message"] and "external = true" in warning["message"]
    assert "POST /api/v1/messages" in warning["message"] and "永远" in warning["message_zh"]


def test_external_on_the_event_or_the_message_silences_the_warning(api):
    assert warnings_of(api, {"pay.bpmn": waits_model("pay", catch_body(EXTERNAL), MESSAGE.format(ext=""))}) == []
    on_message = f'<bpmn:message id="msg_paid" name="payment_received">{EXTERNAL}</bpmn:message>'
    assert warnings_of(api, {"pay2.bpmn": waits_model("pay2", catch_body(), on_message)}) == []


def test_a_message_thrown_in_the_bundle_is_reachable(api):
    body = ('<bpmn:startEvent id="start"/><bpmn:intermediateThrowEvent id="send_paid">'
            '<bpmn:messageEventDefinition id="med_send" messageRef="msg_paid"/></bpmn:intermediateThrowEvent>'
            '<bpmn:intermediateCatchEvent id="wait_paid"><bpmn:messageEventDefinition id="med" messageRef="msg_paid"/>'
            '</bpmn:intermediateCatchEvent><bpmn:endEvent id="end"/>' + models.chain("start", "send_paid", "wait_paid",
                                                                                      "end"))
    assert warnings_of(api, {"pay.bpmn": waits_model("pay", body, MESSAGE.format(ext=""))}) == []


def test_a_message_thrown_by_another_deployed_process_is_reachable(api):
    sender = ('<bpmn:startEvent id="start"/><bpmn:endEvent id="end"><bpmn:messageEventDefinition id="m" '
              'messageRef="msg_paid"/></bpmn:endEvent>' + models.chain("start", "end"))
    assert warnings_of(api, {"sender.bpmn": waits_model("sender", sender, MESSAGE.format(ext=""))}) == []
    assert warnings_of(api, {"pay.bpmn": waits_model("pay", catch_body(), MESSAGE.format(ext=""))}) == []


def test_a_message_start_event_is_reachable_through_the_messages_api(api):
    body = ('<bpmn:startEvent id="start"><bpmn:messageEventDefinition id="m" messageRef="msg_paid"/></bpmn:startEvent>'
            '<bpmn:userTask id="t" name="t"/><bpmn:endEvent id="end"/>' + models.chain("start", "t", "end"))
    assert warnings_of(api, {"pay.bpmn": waits_model("pay", body, MESSAGE.format(ext=""))}) == []


def test_boundary_signal_and_receive_task_waits_are_warnings(api):
    body = ('<bpmn:startEvent id="start"/><bpmn:receiveTask id="receive" name="收件" messageRef="msg_paid"/>'
            '<bpmn:userTask id="t" name="t"/><bpmn:boundaryEvent id="stop" attachedToRef="t">'
            '<bpmn:signalEventDefinition id="s" signalRef="sig_stop"/></bpmn:boundaryEvent>'
            '<bpmn:endEvent id="end"/>' + models.chain("start", "receive", "t", "end")
            + models.flow("f_stop", "stop", "end"))
    roots = MESSAGE.format(ext="") + '<bpmn:signal id="sig_stop" name="停止"/>'
    warnings = warnings_of(api, {"w.bpmn": waits_model("w", body, roots)})
    assert {(w["element"], w["code"]) for w in warnings} == {("receive", "wait.unreachable"),
                                                            ("stop", "wait.unreachable")}
    assert any("signal 停止" in w["message"] and "/api/v1/signals" in w["message"] for w in warnings)


# --- data flow (issue 15): what conditions and scripts read that nothing sets ----------------------
def _flow_check(body: str, dmn_outputs: list[str] | None = None, previous=None):
    from workflow_app.engine.deadends import data_flow

    files = [("p.bpmn", (HEADER + '<bpmn:process id="p" isExecutable="true">' + body
                         + "</bpmn:process></bpmn:definitions>").encode(), "bpmn")]
    if dmn_outputs is not None:
        outputs = "".join(f'<output id="o{i}" name="{n}"/>' for i, n in enumerate(dmn_outputs))
        files.append(("d.dmn", ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" '
                                'name="d" namespace="x"><decision id="grading" name="g"><decisionTable id="t">'
                                f"{outputs}</decisionTable></decision></definitions>").encode(), "dmn"))
    form = {"properties": {"severity": {"type": "string"}, "photos": {"type": "array"}}}
    return data_flow(files, {"report.json": form}, {"len", "now"}, previous)


START_WITH_FORM = ('<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:formJsonSchemaFilename>'
                   "report.json</spiffworkflow:formJsonSchemaFilename></bpmn:extensionElements></bpmn:startEvent>")
DECIDE = ('<bpmn:businessRuleTask id="decide" name="分级"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
          "grading</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>")


def test_a_script_inside_a_sub_process_after_the_decision_reads_its_renamed_output():
    inner = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="s_start"/>'
             '<bpmn:scriptTask id="use"><bpmn:script>label = level + "级"</bpmn:script></bpmn:scriptTask>'
             '<bpmn:endEvent id="s_end"/>' + models.chain("s_start", "use", "s_end") + "</bpmn:subProcess>")
    body = (START_WITH_FORM + DECIDE + inner + '<bpmn:endEvent id="end"/>'
            + models.chain("start", "decide", "sub", "end"))
    errors, warnings = _flow_check(body, ["grade"])
    assert [(e.element, e.code) for e in errors] == [("use", "data.decision_output")] and warnings == []
    assert "脚本任务 use 的脚本读取变量 'level'" in errors[0].message_zh and "分级 (decide)" in errors[0].message_zh
    assert _flow_check(body, ["level"]) == ([], [])  # the output the script reads: nothing to say


def test_names_set_by_forms_scripts_loops_and_data_objects_are_not_flagged():
    body = (START_WITH_FORM + '<bpmn:dataObject id="budget" name="预算"/>'
            '<bpmn:scriptTask id="prep"><bpmn:script>count = len(photos)\nfor p in photos:\n    last = p'
            "</bpmn:script></bpmn:scriptTask>"
            '<bpmn:userTask id="check"><bpmn:extensionElements><spiffworkflow:formJsonSchemaFilename>report.json'
            '</spiffworkflow:formJsonSchemaFilename></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>photos'
            '</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>checked</bpmn:loopDataOutputRef>'
            '<bpmn:inputDataItem id="photo"/><bpmn:outputDataItem id="ok"/></bpmn:multiInstanceLoopCharacteristics>'
            '</bpmn:userTask><bpmn:exclusiveGateway id="gw" default="f_no"/><bpmn:endEvent id="end"/>'
            + models.chain("start", "prep", "check", "gw")
            + models.flow("f_yes", "gw", "end", "count > 2 and severity == 'minor' and budget and checked and last "
                                               "and now() and [x for x in checked if x]")
            + models.flow("f_no", "gw", "end"))
    assert _flow_check(body) == ([], [])
    errors, [warning] = _flow_check(body.replace("count > 2", "amount > 2"))
    assert errors == [] and (warning.element, warning.code) == ("gw", "data.unset") and "'amount'" in warning.message


def test_where_a_task_without_a_form_comes_first_an_unread_output_is_only_a_warning():
    body = (START_WITH_FORM + '<bpmn:userTask id="free"/>' + DECIDE + '<bpmn:exclusiveGateway id="gw" default="f_no"/>'
            '<bpmn:endEvent id="end"/>' + models.chain("start", "free", "decide", "gw")
            + models.flow("f_yes", "gw", "end", "level == 'town'") + models.flow("f_no", "gw", "end"))
    errors, [warning] = _flow_check(body, ["grade"])
    assert errors == [] and warning.code == "data.decision_output"
    errors, warnings = _flow_check(body, ["grade"], previous={"grading": ["level"]})  # it *had* `level`
    assert [e.code for e in errors] == ["data.decision_output"] and warnings == []
