"""Which fields a form shows only for some answers, read from its if/then (web/formconditions.py)."""

import json

from tests.support import ROOT
from workflow_app.web.formconditions import show_when


def test_a_field_required_only_for_an_answer_is_shown_only_for_it():
    accept = json.loads((ROOT / "forms" / "event_accept.json").read_text(encoding="utf-8"))
    assert show_when(accept) == {"reject_reason": [{"answers": {"accepted": [False]}, "negate": False}]}


def test_else_enum_and_conditions_the_page_cannot_follow():
    form = {"type": "object", "required": ["kind", "always"],
            "properties": {n: {"type": "string"} for n in ("kind", "why", "other", "always", "free")},
            "allOf": [
                {"if": {"properties": {"kind": {"enum": ["a", "b"]}}}, "then": {"required": ["why", "always"]},
                 "else": {"required": ["other"]}},
                {"if": {"properties": {"kind": {"pattern": "^x"}}}, "then": {"required": ["free"]}},
            ]}
    assert show_when(form) == {"why": [{"answers": {"kind": ["a", "b"]}, "negate": False}],
                               "other": [{"answers": {"kind": ["a", "b"]}, "negate": True}]}
    assert show_when(None) == {} and show_when({"properties": {}}) == {}
