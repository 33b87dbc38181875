"""DMN as other tools write it: deployed through the API and run as cases, as real users would.

- SpiffWorkflow's own DMN test models (``?`` cells: ``100 < ? <= 110``, ``"PEANUTS" in ?``,
  ``? != "x"``) deploy and give the results SpiffWorkflow's own tests expect.
- DMN 1.2 and 1.3 files in the default namespace (Camunda Modeler and DMN 1.2 tools) deploy and run,
  and so does a DMN whose elements carry a namespace prefix.
- A .dmn file the engine can find no decision in is a 422 naming the file and line.
"""

import re
from pathlib import Path

import pytest

from tests import models

HERE = Path(__file__).resolve().parent / "models"
SPIFF = HERE / "spiffworkflow_dmn"
THIRD = HERE / "thirdparty"
WORKER, UNIT = "worker-dc-dm-01", "dc-dm-01"


def decision_bundle(key: str, dmn_name: str, dmn: bytes, decision: str | None = None) -> dict[str, bytes]:
    """A tiny process: start -> business rule task calling the DMN's decision -> a look task -> end."""
    decision = decision or re.search(rb'<(?:\w+:)?decision id="([^"]+)"', dmn).group(1).decode()
    task = (f'<bpmn:businessRuleTask id="decide" name="判断"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
            f"{decision}</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>")
    return {f"{key}.bpmn": models.simple(key, task, models.user_task("look", "查看结果")), dmn_name: dmn}


def run_decision(api, key: str, data: dict) -> dict:
    """Start a case, read the decision's result, complete the human task: the case's final data."""
    started = api.start(key, UNIT, data, WORKER)
    assert started.status_code == 201, started.get_json()
    case = started.get_json()["id"]
    [look] = [t for t in api.tasks(WORKER, instance_id=case) if t["bpmn_id"] == "look"]
    assert api.complete(look["id"], WORKER).status_code == 200
    detail = api.instance(case)
    assert detail["status"] == "completed", detail
    return detail["data"]


def deployed(api, files: dict[str, bytes]) -> None:
    response = api.deploy(files)
    assert response.status_code == 201, response.get_json()


# (file, data name, [(input, Result)]): SpiffWorkflow's tests check each rule's annotation; the
# Result column holds the matching output ("100-110 Inclusive Annotation" -> "100-110 Inclusive").
SPIFF_CASES = [
    ("integer_decision_range_inclusive.dmn", "Age",
     [(100, "100-110 Inclusive"), (99, "ELSE"), (110, "100-110 Inclusive"), (111, "ELSE")]),
    ("integer_decision_range_exclusive.dmn", "Age",
     [(100, "ELSE"), (101, "100-110 Exclusive"), (110, "ELSE"), (109, "100-110 Exclusive")]),
    ("integer_decision_range_excl_inclusive.dmn", "Age",
     [(100, "ELSE"), (101, "100-110 ExclInclusive"), (110, "100-110 ExclInclusive"), (111, "ELSE")]),
    ("integer_decision_range_incl_exclusive.dmn", "Age",
     [(100, "100-110 InclExclusive"), (99, "ELSE"), (110, "ELSE"), (109, "100-110 InclExclusive")]),
    ("string_decision.dmn", "Gender", [("m", "isM"), ("f", "isF"), ("y", "notX"), ("x", "ELSE")]),
    ("list_decision.dmn", "allergies", [(["PEANUTS", "SPAM"], "isPeanuts"), (["SPAM", "SPAM"], "IsNotPeanuts")]),
    ("dmn_version_20191111_test.dmn", "allergies", [(["PEANUTS", "SPAM"], "isPeanuts")]),
    ("integer_decision_comparison.dmn", "Age", [(30, "30"), (24, "low"), (25, "high")]),
]


@pytest.mark.parametrize(("name", "field", "expected"), SPIFF_CASES, ids=[c[0] for c in SPIFF_CASES])
def test_spiffworkflow_dmn_models_deploy_and_decide_as_their_tests_expect(api, name, field, expected):
    key = "p_" + Path(name).stem
    deployed(api, decision_bundle(key, name, (SPIFF / name).read_bytes()))
    for value, result in expected:
        assert run_decision(api, key, {field: value})["Result"] == result, (name, value)


def test_question_mark_cells_are_accepted_as_the_engine_runs_them(api):
    dmn = (SPIFF / "string_decision.dmn").read_bytes()
    assert b'? != "x"' in dmn
    response = api.deploy(decision_bundle("gender", "string_decision.dmn", dmn))
    assert response.status_code == 201, response.get_json()


DISH = [({"season": "Fall", "guests": 4}, "Spareribs"), ({"season": "Winter", "guests": 8}, "Roastbeef"),
        ({"season": "Summer", "guests": 12}, "Stew")]


@pytest.mark.parametrize("name", ["dish_camunda13.dmn", "dish_dmn12.dmn"])
def test_default_namespace_dmn_12_and_13_are_accepted_and_run(api, name):
    deployed(api, decision_bundle("dish", name, (THIRD / name).read_bytes()))
    for data, dish in DISH:
        assert run_decision(api, "dish", data)["dish"] == dish


def _prefixed(dmn: bytes, prefix: str) -> bytes:
    """The same DMN with every DMN element written ``<prefix:element>``."""
    text = dmn.decode().replace('xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"',
                                f'xmlns:{prefix}="https://www.omg.org/spec/DMN/20191111/MODEL/"')
    names = ("definitions|decision|decisionTable|input|inputExpression|text|output|rule|description|inputEntry|"
             "outputEntry")
    return re.sub(rf"<(/?)({names})\b", rf"<\1{prefix}:\2", text).encode()


def test_namespace_prefixed_dmn_is_accepted_and_runs(api):
    dmn = _prefixed((THIRD / "dish_camunda13.dmn").read_bytes(), "dmn13")
    assert b"<dmn13:decisionTable" in dmn
    deployed(api, decision_bundle("dish", "dish.dmn", dmn, "dish_decision"))
    assert run_decision(api, "dish", {"season": "Fall", "guests": 2})["dish"] == "Spareribs"


def _refused(api, files) -> list[dict]:
    response = api.deploy(files)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    for error in errors:
        assert error["file"] and error["message"] and error["message_zh"] and error["message_en"]
    return errors


def test_dmn_in_an_unknown_namespace_is_refused_naming_the_dmn_file(api):
    dmn = (THIRD / "dish_camunda13.dmn").read_bytes().replace(b"https://www.omg.org/spec/DMN/20191111/MODEL/",
                                                              b"http://www.omg.org/spec/DMN/20191111/MODEL/")
    [error] = _refused(api, decision_bundle("dish", "dish.dmn", dmn, "dish_decision"))
    assert (error["file"], error["line"], error["code"]) == ("dish.dmn", 2, "xml.not_dmn")
    assert "DMN 1.1, 1.2 or 1.3" in error["message"] and "DMN 1.1、1.2 或 1.3" in error["message_zh"]


def test_any_xml_named_dmn_is_refused(api):
    [error] = _refused(api, decision_bundle("dish", "dish.dmn", models.simple("other", models.user_task("t")),
                                            "dish_decision"))
    assert error["file"] == "dish.dmn" and error["code"] == "xml.not_dmn" and "bpmn:definitions" in error["message"]


def test_dmn_without_a_decision_is_refused_with_its_line(api):
    dmn = (b'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"'
           b' id="d" name="n" namespace="x">\n  <inputData id="season" name="Season"/>\n</definitions>\n')
    errors = _refused(api, decision_bundle("dish", "empty.dmn", dmn, "dish_decision"))
    error = next(e for e in errors if e["file"] == "empty.dmn")  # and the BPMN's call to a missing decision
    assert (error["line"], error["code"]) == (2, "dmn.no_decision")
    assert "no decision" in error["message"] and "没有定义任何决策" in error["message_zh"]


def test_dmn_with_a_literal_expression_instead_of_a_table_names_the_decision(api):
    dmn = (b'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"'
           b' id="d" name="n" namespace="x">\n  <decision id="dish_decision" name="Dish">\n'
           b'    <literalExpression id="l"><text>"Stew"</text></literalExpression>\n  </decision>\n</definitions>\n')
    [error] = _refused(api, decision_bundle("dish", "dish.dmn", dmn, "dish_decision"))
    assert (error["file"], error["line"], error["element"], error["code"]) == ("dish.dmn", 3, "dish_decision",
                                                                             "dmn.no_table")
    assert "literalExpression" in error["message"]


def test_hit_policies_the_engine_would_run_wrongly_are_refused(api):
    dmn = (THIRD / "dish_camunda13.dmn").read_bytes().replace(b'hitPolicy="FIRST"',
                                                              b'hitPolicy="COLLECT" aggregation="SUM"')
    [error] = _refused(api, decision_bundle("dish", "dish.dmn", dmn, "dish_decision"))
    assert (error["element"], error["code"]) == ("DecisionTable_0ta4ou3", "dmn.hit_policy")
    assert "COLLECT SUM" in error["message"]


def test_feel_cells_are_refused_with_the_python_to_write(api):
    dmn = (THIRD / "dish_camunda13.dmn").read_bytes().replace(b"<text>&lt;= 8</text>", b"<text>[1..8]</text>", 1)
    [error] = _refused(api, decision_bundle("dish", "dish.dmn", dmn, "dish_decision"))
    assert (error["file"], error["element"], error["code"]) == ("dish.dmn", "UnaryTests_1dwadnz", "dmn.feel")
    assert "1 <= ? <= 8" in error["message"] and "1 <= ? <= 8" in error["message_zh"]
    text = dmn.decode()
    assert error["line"] == text[: text.index('id="UnaryTests_1dwadnz"')].count("\n") + 1


# --- data flow: a decision output renamed (issue 15) ---------------------------------------------
ROOT = HERE.parent.parent
GRADING = "minor_event_grading.dmn"


def _sample(dmn_rename: tuple[bytes, bytes] | None = None) -> dict[str, bytes]:
    from tests.support import sample_bundle

    files = sample_bundle()
    if dmn_rename:
        files[GRADING] = files[GRADING].replace(*dmn_rename)
    return files


def test_a_renamed_decision_output_that_a_gateway_still_reads_is_refused(api):
    """Issue 15: Camunda Modeler saved the decision with its output renamed (handling_level ->
    grade); it deployed, and the next case stopped in error at the gateway with an English message."""
    files = _sample((b'name="handling_level"', b'name="grade"'))
    [error] = _refused(api, files)
    bpmn = files["minor_event.bpmn"].decode()
    assert (error["file"], error["element"], error["code"]) == ("minor_event.bpmn", "gw_level", "data.decision_output")
    assert error["line"] == bpmn[: bpmn.index("<bpmn:conditionExpression>handling_level")].count("\n") + 1
    zh = error["message_zh"]
    assert zh.startswith("网关 gw_level 的条件读取变量 'handling_level'，但决策表 'minor_event_grading'"
                         "（由 分级研判 (grade) 调用）的输出已没有该列（现为 'grade'）")
    assert "no longer has that output column (now 'grade')" in error["message_en"]
    assert api.get("/definitions", "designer").get_json() == []


def renamed_in_a_plain_model(output: str, script: str = "") -> dict[str, bytes]:
    """start (no form: any start data) -> decision -> [script] -> gateway on `level` -> two tasks."""
    dmn = (THIRD / "dish_camunda13.dmn").read_bytes().replace(b'name="dish"', f'name="{output}"'.encode())
    decide = ('<bpmn:businessRuleTask id="decide" name="判断"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
              "dish_decision</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>")
    middle = [decide] + ([models.script_task("note", script)] if script else [])
    ids = ["decide"] + (["note"] if script else [])
    body = (models.START + "".join(middle) + '<bpmn:exclusiveGateway id="gw" default="f_other"/>'
            + models.user_task("stew", "炖菜") + models.user_task("other", "其他") + '<bpmn:endEvent id="end"/>'
            + models.chain("start", *ids, "gw") + models.flow("f_stew", "gw", "stew", 'level == "Stew"')
            + models.flow("f_other", "gw", "other") + models.chain("stew", "end").replace("f_stew_end", "f1")
            + models.flow("f2", "other", "end"))
    return {"dish.bpmn": models.process("dish", body), "dish.dmn": dmn}


def test_a_decision_that_used_to_output_the_name_is_refused_even_where_any_start_data_is_taken(api):
    """Where data may enter on the way (a start without a form), an output nothing reads is only a
    warning; but once the live version's decision had the name, its rename is refused."""
    first = api.deploy(renamed_in_a_plain_model("level"))
    assert first.status_code == 201, first.get_json()
    assert not [w for w in first.get_json()["warnings"] if w["code"].startswith("data.")]
    [error] = _refused(api, renamed_in_a_plain_model("grade"))
    assert (error["file"], error["element"], error["code"]) == ("dish.bpmn", "gw", "data.decision_output")
    assert "'level'" in error["message_zh"] and "现为 'grade'" in error["message_zh"]


def test_on_a_first_deploy_with_open_start_data_an_unread_output_is_a_warning(api):
    response = api.deploy(renamed_in_a_plain_model("grade"))
    assert response.status_code == 201, response.get_json()
    [warning] = [w for w in response.get_json()["warnings"] if w["code"].startswith("data.")]
    assert (warning["element"], warning["code"]) == ("gw", "data.decision_output")


def test_a_script_that_sets_the_name_is_not_flagged(api):
    response = api.deploy(renamed_in_a_plain_model("grade", "level = grade"))
    assert response.status_code == 201, response.get_json()
    assert not [w for w in response.get_json()["warnings"] if w["code"].startswith("data.")]


def test_a_condition_reading_what_nothing_sets_is_a_warning(api):
    """A start form, no task without a form before the gateway: nothing can set `urgency`."""
    start = models.START.replace("<spiffworkflow:properties>", "<spiffworkflow:formJsonSchemaFilename>minor_report"
                                 ".json</spiffworkflow:formJsonSchemaFilename><spiffworkflow:properties>")
    body = (start + '<bpmn:exclusiveGateway id="gw" default="f_b"/>' + models.user_task("a", "甲")
            + models.user_task("b", "乙") + '<bpmn:endEvent id="end"/>' + models.flow("f0", "start", "gw")
            + models.flow("f_a", "gw", "a", 'urgency == "high" and severity == "minor"') + models.flow("f_b", "gw", "b")
            + models.flow("f1", "a", "end") + models.flow("f2", "b", "end"))
    response = api.deploy({"urgent.bpmn": models.process("urgent", body)})
    assert response.status_code == 201, response.get_json()
    [warning] = [w for w in response.get_json()["warnings"] if w["code"].startswith("data.")]
    assert (warning["file"], warning["element"], warning["code"]) == ("urgent.bpmn", "gw", "data.unset")
    assert warning["message_zh"].startswith("网关 gw 的条件读取变量 'urgency'，但流程中没有任何环节会设置它")


def test_every_shipped_model_deploys_without_a_data_flow_problem(api):
    from tests.support import bundle

    directories = sorted({p.parent for p in (ROOT / "processes").glob("*/*.bpmn")})
    assert len(directories) >= 9
    for directory in directories:
        response = api.deploy(bundle(directory), key=directory.name)
        assert response.status_code == 201, (directory.name, response.get_json())
        assert not [w for w in response.get_json()["warnings"] if w["code"].startswith("data.")], directory.name
    variant = api.deploy(bundle(ROOT / "processes" / "localities" / "dc" / "event_handling"), locality="dc",
                         key="event_handling")
    assert variant.status_code == 201, variant.get_json()


def test_a_decision_table_saved_without_its_hit_policy_still_decides_unique(api):
    """dmn-js drops hitPolicy="UNIQUE" (the default) on save: the table still decides UNIQUE (one
    value, not COLLECT's list), and the publish diff does not count the dropped attribute."""
    from workflow_app.engine import modeldiff

    original = _sample()[GRADING]
    saved = original.replace(b' hitPolicy="UNIQUE"', b"")
    assert saved != original
    assert modeldiff.bundle_changes({GRADING: original}, {GRADING: saved}) == []
    deployed(api, decision_bundle("grading", GRADING, saved))
    data = run_decision(api, "grading", {"severity": "minor", "category": "environment"})
    assert data["handling_level"] == "grid" and data["community_limit"] == {"amount": 4, "unit": "work_hours"}
