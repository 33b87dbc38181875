"""Refusals a designer understands: file, line, element id, a whole sentence in Chinese and English,
and what to do for the common cases (other engines' extensions, JUEL/FEEL, unquoted timers).
No Python internals, no ``<Element … at 0x…>``, no ``id "None"``; DMN errors point at the DMN file."""

import re
from pathlib import Path

import pytest

from tests import models
from tests.support import bundle, sample_bundle

ROOT = Path(__file__).resolve().parent.parent
THIRD = Path(__file__).resolve().parent / "models" / "thirdparty"
BPMN, DMN = "minor_event.bpmn", "minor_event_grading.dmn"
TIMER = '<bpmn:timeDate>due_in(community_limit["amount"], community_limit["unit"])</bpmn:timeDate>'
RAW = re.compile(r"\w+(Error|Exception)\(|<Element |0x[0-9a-f]{6,}|Traceback|NoneType|id \"None\"")


def refused(api, files) -> list[dict]:
    response = api.deploy(files)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    for error in errors:
        assert set(error) >= {"file", "line", "element", "message", "message_en", "message_zh", "code"}
        assert error["message"] == error["message_en"] and error["message_zh"] != error["message_en"]
        for text in (error["message_en"], error["message_zh"]):
            assert not RAW.search(text), text
            assert text.rstrip().endswith((".", "。", ")", "）")), text  # whole sentences
    return errors


def line_of(content: bytes, needle: str) -> int:
    text = content.decode()
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def _with(files: dict, name: str, old: str, new: str) -> dict:
    assert old in files[name].decode(), old
    return {**files, name: files[name].decode().replace(old, new, 1).encode()}


def test_camunda_model_is_refused_with_what_to_use_instead(api):
    content = (THIRD / "camunda7_invoice.bpmn").read_bytes()
    errors = refused(api, {"invoice.bpmn": content})
    by_what = {(e["element"], e["code"]): e for e in errors}
    form = next(e for e in errors if "camunda:formKey" in e["message"] and e["element"] == "approve")
    assert form["line"] == line_of(content, '<bpmn:userTask id="approve"')
    assert "spiffworkflow:formJsonSchemaFilename" in form["message"] and "JSON Schema 表单" in form["message_zh"]
    assignee = next(e for e in errors if "camunda:assignee" in e["message"])
    assert "lane" in assignee["message"] and "泳道" in assignee["message_zh"]
    assert any("camunda:candidateGroups" in e["message"] and e["element"] == "review" for e in errors)
    # Reported together with the rest: the JUEL condition and the bare timer.
    juel = by_what[("f_big", "expr.juel")]
    assert juel["line"] == line_of(content, 'id="f_big"')
    assert "amount > 100 and not urgent" in juel["message"] and "amount > 100 and not urgent" in juel["message_zh"]
    timer = by_what[("review_late", "timer.unquoted")]
    assert '"PT4H"' in timer["message"] and "加引号" in timer["message_zh"]


@pytest.mark.parametrize(("condition", "python"), [
    ("${amount > 100}", "amount > 100"),
    ('#{level eq "town" || urgent}', 'level == "town" or urgent'),
    ('=level = "town"', 'level == "town"'),
])
def test_juel_and_feel_conditions_say_which_python_to_write(api, condition, python):
    files = _with(sample_bundle(), BPMN, 'handling_level == "grid"', condition.replace("<", "&lt;"))
    [error] = refused(api, files)
    assert error["code"] == "expr.juel" and error["element"] == "flow_to_self"
    assert error["line"] == line_of(files[BPMN], 'id="flow_to_self"')
    assert python in error["message"] and python in error["message_zh"]


def test_unquoted_timer_says_to_quote_it(api):
    files = _with(sample_bundle(), BPMN, TIMER, "<bpmn:timeDuration>PT4H</bpmn:timeDuration>")
    [error] = refused(api, files)
    assert (error["file"], error["element"], error["code"]) == (BPMN, "community_overdue", "timer.unquoted")
    assert error["line"] == line_of(files[BPMN], 'id="community_overdue"')
    assert 'write it as a string: "PT4H"' in error["message"] and '"PT4H"' in error["message_zh"]


def test_business_rule_task_without_decision_is_not_id_none(api):
    files = _with(sample_bundle(), BPMN, "<spiffworkflow:calledDecisionId>minor_event_grading"
                  "</spiffworkflow:calledDecisionId>", "")
    [error] = refused(api, files)
    assert (error["file"], error["element"], error["code"]) == (BPMN, "grade", "decision.no_ref")
    assert "spiffworkflow:calledDecisionId" in error["message"] and "minor_event_grading" in error["message"]


def test_camunda_decision_ref_says_to_use_called_decision_id(api):
    files = _with(sample_bundle(), BPMN, "<spiffworkflow:calledDecisionId>minor_event_grading"
                  "</spiffworkflow:calledDecisionId>", "")
    files = _with(files, BPMN, 'id="grade"', 'id="grade" camunda:decisionRef="minor_event_grading" '
                  'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"')
    errors = refused(api, files)
    assert {e["code"] for e in errors} == {"camunda.extension", "decision.no_ref"}
    camunda = next(e for e in errors if e["code"] == "camunda.extension")
    assert "camunda:decisionRef" in camunda["message"] and "calledDecisionId" in camunda["message"]


def test_unknown_decision_names_what_is_available(api):
    files = _with(sample_bundle(), BPMN, ">minor_event_grading<", ">no_such_decision<")
    [error] = refused(api, files)
    assert (error["element"], error["code"]) == ("grade", "decision.missing")
    assert "no_such_decision" in error["message"] and "minor_event_grading" in error["message"]


def test_dmn_errors_point_at_the_dmn_file(api):
    files = sample_bundle()
    dmn = files[DMN].decode()
    rule = re.search(r'<rule id="(\w+)">', dmn).group(1)
    pattern = rf'(<rule id="{rule}">.*?)<inputEntry id="\w+">.*?</inputEntry>'
    broken = re.sub(pattern, r"\1", dmn, count=1, flags=re.DOTALL).encode()
    [error] = refused(api, {**files, DMN: broken})
    assert (error["file"], error["element"], error["code"]) == (DMN, rule, "dmn.entries")
    assert error["line"] == line_of(broken, f'<rule id="{rule}">')


def test_dmn_output_syntax_error_points_at_the_dmn_cell(api):
    files = sample_bundle()
    text = files[DMN].decode()
    cell = re.search(r'<outputEntry id="(\w+)"><text>"grid"</text>', text)
    assert cell, "the sample's first output cell"
    broken = text.replace(cell.group(0), f'<outputEntry id="{cell.group(1)}"><text>grid level</text>', 1).encode()
    [error] = refused(api, {**files, DMN: broken})
    assert (error["file"], error["element"], error["code"]) == (DMN, cell.group(1), "dmn.output_syntax")


def test_comments_in_a_decision_table_are_no_crash(api):
    files = sample_bundle()
    commented = files[DMN].replace(b"<rule ", b"<!-- reviewed 2026 --><rule ", 1)
    assert api.deploy({**files, DMN: commented}).status_code == 201


@pytest.mark.parametrize("empty", ["<bpmn:timeDuration/>", "<bpmn:timeDate></bpmn:timeDate>",
                                   "<bpmn:timeCycle> </bpmn:timeCycle>"])
def test_empty_timer_is_refused(api, empty):
    files = _with(sample_bundle(), BPMN, TIMER, empty)
    [error] = refused(api, files)
    assert (error["file"], error["element"], error["code"]) == (BPMN, "community_overdue", "timer.empty")
    assert error["line"] == line_of(files[BPMN], empty)


@pytest.mark.parametrize(("literal", "code"), [
    ('<bpmn:timeDuration>"P99999999999Y"</bpmn:timeDuration>', "timer.too_long"),
    ('<bpmn:timeDuration>"P1000Y"</bpmn:timeDuration>', "timer.too_long"),
    ('<bpmn:timeDate>"10000-01-01T00:00:00"</bpmn:timeDate>', "timer.year"),
    ('<bpmn:timeDate>"+123456-01-01T00:00:00"</bpmn:timeDate>', "timer.year"),
    ('<bpmn:timeCycle>"R/P99999999999Y"</bpmn:timeCycle>', "timer.too_long"),
    ('<bpmn:timeCycle>"R/PT0S"</bpmn:timeCycle>', "timer.too_often"),
    ('<bpmn:timeCycle>"R99999/PT1H"</bpmn:timeCycle>', "timer.too_many"),
    ('<bpmn:timeDuration>"P2H"</bpmn:timeDuration>', "timer.invalid"),
])
def test_timer_literals_are_bounded(api, literal, code):
    """A quoted duration of 99,999,999,999 years hung the request (the engine counts it month by
    month); every literal is bounded at deploy with a sentence saying why."""
    files = _with(sample_bundle(), BPMN, TIMER, literal)
    [error] = refused(api, files)
    assert (error["element"], error["code"]) == ("community_overdue", code)


def test_a_reasonable_quoted_timer_deploys(api):
    files = _with(sample_bundle(), BPMN, TIMER, '<bpmn:timeDuration>"P30D"</bpmn:timeDuration>')
    assert api.deploy(files).status_code == 201


EVENT = bundle(ROOT / "processes" / "event_handling")
EH = "event_handling.bpmn"


@pytest.mark.parametrize(("drop", "code"), [
    ("        <bpmn:loopDataInputRef>departments</bpmn:loopDataInputRef>\n", "mi.input_no_item"),
    ("        <bpmn:loopDataOutputRef>department_outcomes</bpmn:loopDataOutputRef>\n", "mi.output_lost"),
    ("        <bpmn:outputDataItem id=\"outcome\"/>\n", "mi.output_no_item"),
    ("        <bpmn:inputDataItem id=\"department\"/>\n", "mi.input_no_item"),
])
def test_multi_instance_loop_data_dropped_by_an_editor(api, drop, code):
    content = EVENT[EH].decode()
    assert drop in content
    if code == "mi.input_no_item" and "loopDataInputRef" in drop:  # the editor dropped both refs
        content = content.replace("        <bpmn:loopDataOutputRef>department_outcomes</bpmn:loopDataOutputRef>\n", "")
        code = "mi.no_input"
    files = {**EVENT, EH: content.replace(drop, "").encode()}
    [error] = refused(api, files)
    assert (error["file"], error["element"], error["code"]) == (EH, "department_work", code)
    assert error["line"] == line_of(files[EH], "<bpmn:multiInstanceLoopCharacteristics>")


def test_sequential_multi_instance_without_output_is_refused(api):
    task = ('<bpmn:userTask id="sign" name="会签"><bpmn:multiInstanceLoopCharacteristics isSequential="true">'
            '<bpmn:loopDataInputRef>signers</bpmn:loopDataInputRef><bpmn:inputDataItem id="signer"/>'
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>")
    [error] = refused(api, {"sign.bpmn": models.simple("signing", task)})
    assert (error["element"], error["code"]) == ("sign", "mi.sequential_no_output")
    assert "second item" in error["message"] and "第二项" in error["message_zh"]


def test_engine_crash_inside_a_task_is_explained_not_shown(api):
    """A boundary event without a definition made the engine raise NotImplementedError with the
    element's XML; now it is a sentence naming the event."""
    body = ('<bpmn:startEvent id="start"/><bpmn:userTask id="t" name="t"/><bpmn:endEvent id="end"/>'
            '<bpmn:boundaryEvent id="b" attachedToRef="t"/>' + models.chain("start", "t", "end"))
    [error] = refused(api, {"b.bpmn": models.process("boundary", body)})
    assert (error["element"], error["code"]) == ("b", "event.boundary_none")


def test_dangling_references_name_element_and_target(api):
    body = ('<bpmn:startEvent id="start"/><bpmn:userTask id="t" name="t"/><bpmn:endEvent id="end"/>'
            + models.chain("start", "t") + models.flow("f_end", "t", "nowhere"))
    [error] = refused(api, {"d.bpmn": models.process("d", body)})
    assert (error["element"], error["code"]) == ("f_end", "ref.missing") and "nowhere" in error["message"]


def test_several_outgoing_flows_is_a_whole_sentence(api):
    body = ('<bpmn:startEvent id="start"/><bpmn:userTask id="t" name="t"/><bpmn:endEvent id="e1"/>'
            '<bpmn:endEvent id="e2"/>' + models.chain("start", "t") + models.flow("f1", "t", "e1")
            + models.flow("f2", "t", "e2"))
    [error] = refused(api, {"o.bpmn": models.process("o", body)})
    assert (error["element"], error["code"]) == ("t", "task.several_outgoing")
    assert "gateway" in error["message"] and "网关" in error["message_zh"]


def test_duplicate_ids_are_explained(api):
    body = '<bpmn:startEvent id="start"/><bpmn:userTask id="start" name="t"/>'
    [error] = refused(api, {"dup.bpmn": models.process("dup", body)})
    assert error["code"] == "xsd.invalid" and "be unique" in error["message"] and "不能重复" in error["message_zh"]


def test_schema_errors_name_the_element_in_both_languages(api):
    files = _with(sample_bundle(), BPMN, '<bpmn:endEvent id="closed" name="结案">',
                  '<bpmn:endEvent id="closed" name="结案"><bpmn:noSuchElement/>')
    [error] = refused(api, files)
    assert (error["file"], error["element"], error["code"]) == (BPMN, "closed", "xsd.invalid")
    assert "bpmn:noSuchElement" in error["message"] and "不应出现在这里" in error["message_zh"]
    assert "{http" not in error["message"]


def test_file_name_with_nul_is_refused(api):
    """A NUL in a file name was stored as given (PostgreSQL then failed with a 500)."""
    response = api.deploy({"minor\x00event.bpmn": sample_bundle()[BPMN]})
    assert response.status_code in (400, 422), response.get_json()
    body = response.get_json()
    assert "NUL" in body["message"] or any("NUL" in e["message"] for e in body["errors"] or [])
    assert api.get("/definitions", "designer").get_json() == []


def test_bundle_level_refusals_have_a_file(api):
    [error] = refused(api, {"only.dmn": sample_bundle()[DMN]})
    assert error["code"] == "bundle.no_bpmn"
    [error] = refused(api, {"a.bpmn": models.process("a", '<bpmn:startEvent id="s"/>').replace(
        b'isExecutable="true"', b'isExecutable="false"')})
    assert error["file"] == "a.bpmn" and error["code"] in ("bundle.no_process", "process.not_executable")
