"""Bad bundles are refused at deploy with file, line and reason, and nothing is deployed."""

import pytest

from tests import models
from tests.support import sample_bundle

BPMN = "minor_event.bpmn"
TIMER = '<bpmn:timeDate>due_in(community_limit["amount"], community_limit["unit"])</bpmn:timeDate>'


def _refused(api, files) -> list[dict]:
    response = api.deploy(files)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == 422 and body["message"]
    assert api.get("/definitions", "designer").get_json() == []  # nothing deployed
    return body["errors"]


def line_of(content: bytes, needle: str) -> int:
    text = content.decode()
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def _with(files: dict, name: str, old: str, new: str) -> dict:
    assert old in files[name].decode(), old
    return {**files, name: files[name].decode().replace(old, new, 1).encode()}


def test_malformed_xml(api):
    files = sample_bundle()
    broken = files[BPMN].decode().replace("</bpmn:startEvent>", "</bpmn:endEvent>", 1).encode()
    [error] = _refused(api, {**files, BPMN: broken})
    assert error["file"] == BPMN and error["line"] == line_of(broken, "</bpmn:endEvent>")
    assert "malformed XML" in error["message"]


def test_xsd_invalid_bpmn(api):
    files = _with(sample_bundle(), BPMN, '<bpmn:endEvent id="closed" name="结案">',
                  '<bpmn:endEvent id="closed" name="结案"><bpmn:noSuchElement/>')
    [error] = _refused(api, files)
    assert error["file"] == BPMN and error["line"] == line_of(files[BPMN], "<bpmn:noSuchElement/>")
    assert "noSuchElement" in error["message"]


def test_gateway_flow_without_condition(api):
    files = _with(sample_bundle(), BPMN,
                  '<bpmn:conditionExpression>handling_level == "grid"</bpmn:conditionExpression>', "")
    [error] = _refused(api, files)
    assert error["file"] == BPMN and error["line"] == line_of(files[BPMN], 'id="flow_to_self"')
    assert "without condition" in error["message"]


def test_script_syntax_error(api):
    body = models.simple("scripted", models.script_task("calc", "total = (1 +"), models.user_task("look"))
    [error] = _refused(api, {"scripted.bpmn": body})
    assert error["file"] == "scripted.bpmn" and error["line"] == line_of(body, 'id="calc"')
    assert "calc" in error["message"] and "does not compile" in error["message"]


def test_unquoted_timer_duration(api):
    files = _with(sample_bundle(), BPMN, TIMER, "<bpmn:timeDuration>PT4H</bpmn:timeDuration>")
    [error] = _refused(api, files)
    assert error["file"] == BPMN and error["line"] == line_of(files[BPMN], 'id="community_overdue"')
    assert "unquoted" in error["message"] and '"PT4H"' in error["message"]


def test_invalid_quoted_timer_literal(api):
    files = _with(sample_bundle(), BPMN, TIMER, '<bpmn:timeDuration>"P2H"</bpmn:timeDuration>')
    [error] = _refused(api, files)
    assert "not a valid ISO 8601 duration" in error["message"]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
<bpmn:process id="p" isExecutable="true"><bpmn:documentation>&xxe;</bpmn:documentation>
<bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
<bpmn:process id="p" isExecutable="true"><bpmn:documentation>&lol9;</bpmn:documentation>
<bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>"""


@pytest.mark.parametrize("content", [XXE, BOMB], ids=["external-entity", "entity-bomb"])
def test_entities_are_refused(api, content):
    [error] = _refused(api, {"evil.bpmn": content})
    assert error["file"] == "evil.bpmn" and error["line"] == 2
    assert "DOCTYPE" in error["message"]


def test_entities_in_dmn_are_refused(api):
    files = {**sample_bundle(), "minor_event_grading.dmn": XXE}
    errors = _refused(api, files)
    assert any(e["file"] == "minor_event_grading.dmn" for e in errors)


def test_missing_form_is_named(api):
    files = _with(sample_bundle(), BPMN, "minor_verify.json", "no_such_form.json")
    [error] = _refused(api, files)
    assert error["file"] == BPMN and "no_such_form.json" in error["message"]
    assert error["line"] == line_of(files[BPMN], 'id="verify"')


def test_bad_file_names_and_types(api):
    errors = _refused(api, {"../evil.bpmn": b"<x/>", "notes.txt": b"hello"})
    assert {(e["file"], e["code"]) for e in errors} == {("../evil.bpmn", "file.path"), ("notes.txt", "file.type")}
    assert any("file names may not contain paths" in e["message"] for e in errors)
    assert any("文件名" in e["message_zh"] and "路径" in e["message_zh"] for e in errors)


def test_several_errors_are_all_reported(api):
    errors = _refused(api, {"a.bpmn": b"<broken", "b.bpmn": b"<also broken"})
    assert {e["file"] for e in errors} == {"a.bpmn", "b.bpmn"}
