"""Pieces of the web layer on their own: the English catalogue and its compilation, every shared
form rendered and parsed, the BPMN comparison, the weekly calendar of the reports."""

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from werkzeug.datastructures import MultiDict

from tests.support import sample_bundle
from workflow_app.sla import reports
from workflow_app.web import bpmndiff, formrender, i18n

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "workflow_app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_message_has_an_english_translation():
    with PO.open("rb") as source:
        catalog = read_po(source)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert len(catalog) > 150


def test_catalogues_compile_when_missing_or_older(tmp_path):
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO, target / "messages.po")
    assert i18n.compile_catalogs(tmp_path) == [target / "messages.mo"]
    assert i18n.compile_catalogs(tmp_path) == []  # fresh: left alone
    os.utime(target / "messages.mo", (1, 1))
    assert i18n.compile_catalogs(tmp_path) == [target / "messages.mo"]


@pytest.mark.parametrize("path", sorted((ROOT / "forms").glob("*.json")), ids=lambda p: p.name)
def test_every_shared_form_renders_and_parses(app, path):
    import json

    document = json.loads(path.read_text(encoding="utf-8"))
    with app.test_request_context("/"):
        fields, general = formrender.fields(document, {}, None, {"nowhere": ["x"]})
        assert general == ["x"] and all(f.label for f in fields)
        formrender.parse(document, MultiDict())


def test_form_values_typed_by_the_schema(app):
    document = {"type": "object", "properties": {
        "n": {"type": "integer"}, "x": {"type": "number"}, "ok": {"type": "boolean"},
        "when": {"type": "string", "format": "date-time"}, "pick": {"type": "string", "enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["p", "q"]}},
        "lines": {"type": "array", "items": {"type": "string"}}, "ro": {"type": "string", "readOnly": True}}}
    form = MultiDict([("n", "3"), ("x", "2.5"), ("ok", "false"), ("when", "2026-03-02T09:30"), ("pick", "b"),
                      ("tags", "q"), ("lines", "一\n\n二"), ("ro", "changed"), ("extra", "?")])
    with app.test_request_context("/"):
        data = formrender.parse(document, form)
    assert data == {"n": 3, "x": 2.5, "ok": False, "when": "2026-03-02T09:30:00+08:00", "pick": "b",
                    "tags": ["q"], "lines": ["一", "二"]}
    with app.test_request_context("/"):
        assert formrender.parse(document, MultiDict([("n", "three")]))["n"] == "three"  # the schema says why


def test_bpmn_comparison_ignores_layout_and_defaults():
    old = sample_bundle()["minor_event.bpmn"]
    moved = old.replace(b'cancelActivity="true"', b"").replace(b'x="100" y="60"', b'x="120" y="80"')
    assert bpmndiff.compare(old, moved).empty
    renamed = old.replace('name="核查结案"'.encode(), 'name="核查"'.encode())
    assert bpmndiff.compare(old, renamed).changed == ["verify"]
    removed = old.replace(b'<bpmn:sequenceFlow id="flow_verify_end" sourceRef="verify" targetRef="closed" />', b"")
    diff = bpmndiff.compare(old, removed)
    assert diff.removed == ["flow_verify_end"] and diff.added == []
    assert bpmndiff.compare(removed, old).added == ["flow_verify_end"]


def test_report_weeks_are_iso_weeks_in_the_business_time_zone():
    weeks = reports.weeks_ending(datetime(2026, 3, 1, 17, 0, tzinfo=UTC), 2, "Asia/Shanghai")  # Mon 01:00 Beijing
    assert [w.label for w in weeks] == ["2026-W09", "2026-W10"]
    assert weeks[1].start == datetime(2026, 3, 1, 16, 0, tzinfo=UTC) and weeks[0].end == weeks[1].start
