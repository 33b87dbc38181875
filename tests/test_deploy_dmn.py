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
