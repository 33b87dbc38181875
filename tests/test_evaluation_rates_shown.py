"""Rates are stored as fractions (0–1) and shown as percentages in the evaluation's and the
honours' forms and pages: a candidate's 按期结案率 of 1 reads 100.0% (by the indicator's kind,
whatever indicators the thresholds name), a field that declares ``"format": "percent"`` shows
and takes a percentage while the data keeps the fraction, and the sample share is typed in %."""

from werkzeug.datastructures import MultiDict

from tests.support import ROOT, bundle, ok, only
from tests.support_indicators import clock_fixture, events_fixture  # noqa: F401 - fixtures
from tests.test_evaluation_honours import graded_fixture, thresholds  # noqa: F401 - fixtures
from tests.test_web_pages import login, text
from workflow_app.web import formrender

RATE = {"type": "object", "properties": {
    "share": {"type": "number", "title": "抽样比例", "format": "percent", "minimum": 0, "maximum": 1},
    "reached": {"type": "number", "title": "接通率", "format": "percent", "readOnly": True}}}


def test_a_percent_field_shows_and_takes_a_percentage_and_keeps_the_fraction(events):
    with events.app.test_request_context():
        shown, _general = formrender.fields(RATE, {"share": 0.1, "reached": 0.955})
        by_name = {f.name: f for f in shown}
        assert by_name["share"].value == "10" and by_name["share"].label == "抽样比例（%）"
        assert by_name["share"].attrs["max"] == 100 and by_name["reached"].display == "95.5%"
        assert formrender.parse(RATE, MultiDict({"share": "12.5"})) == {"share": 0.125}


def test_the_honours_forms_and_pages_show_a_candidates_rates_as_percentages(graded):
    thresholds(graded, {"composite": 90, "满意率": None, "按期结案率": 0.9})
    ok(graded.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    supervisor = login(graded.app, "supervisor")
    roll = text(ok(supervisor.get("/evaluation/honours?period=2026-03&org_unit=qingxi")))
    assert "按期结案率 100.0%" in roll and "按期结案率 1<" not in roll and "按期结案率 1；" not in roll
    ok(graded.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": "2026-03"}), 201)
    task = only(graded.tasks("leader-dc", process_key="honour_nomination"), "推荐荣誉候选")
    town = login(graded.app, "leader-dc")
    form = text(ok(town.get(f"/evaluation/honours/task/{task['id']}")))
    assert "按期结案率 100.0%" in form and "按期结案率 1<" not in form
    english = text(ok(town.get(f"/evaluation/honours/task/{task['id']}?lang=en")))
    assert "On-time closure rate 100.0%" in english
    case = text(ok(supervisor.get(f"/cases/{task['instance_id']}")))
    assert "按期结案率：100.0%" in case and "按期结案率：1<" not in case
