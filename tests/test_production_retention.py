"""Retention (issue 16): completed cases' engine state compacted; the case page, diagram and timeline stay."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import undefer

from tests.support import ok, only, sample_bundle
from tests.test_web_pages import login, text
from workflow_app import clock
from workflow_app.cases import views
from workflow_app.extensions import db
from workflow_app.models import AuditEvent, ProcessInstance, RetainedCase
from workflow_app.ops import retention
from workflow_app.org import people

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路灯不亮"}


def _closed_case(api) -> int:
    case = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    ok(api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处置"}), 200)
    verify = only(api.tasks("worker-dc-dm-01"), "核查结案")
    ok(api.complete(verify["id"], "worker-dc-dm-01", {"verified": True}), 200)
    return case["id"]


def _state(app, instance_id):
    with app.app_context():
        row = db.session.execute(select(ProcessInstance).options(undefer(ProcessInstance.state))
                                 .where(ProcessInstance.id == instance_id)).scalar_one()
        return row.state, row.revision


def test_parse_age():
    assert retention.parse_age("180d") == timedelta(days=180)
    assert retention.parse_age("26w") == timedelta(weeks=26) and retention.parse_age("48h") == timedelta(hours=48)
    assert retention.parse_age("30") == timedelta(days=30)
    with pytest.raises(retention.InvalidInput):
        retention.parse_age("soon")


def test_retention_compacts_old_completed_cases_and_the_case_page_stays(api):
    app = api.app
    ok(api.deploy(sample_bundle()), 201)
    with time_machine.travel(clock.now() - timedelta(days=200), tick=False):
        old = _closed_case(api)
    recent = _closed_case(api)
    recent_state = _state(app, recent)
    running = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()["id"]
    with app.app_context():
        admin = people.get("admin")
        before_diagram = views.diagram(old, admin)
        before = views.instance_detail(old, admin)
        before_history = [(e.kind, e.at) for e in before.history]
        before_data = dict(before.data)
    state_before, revision_before = _state(app, old)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["retention", "--older-than", "180d", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 completed case(s)" in dry.output and _state(app, old)[0] == state_before

    result = runner.invoke(args=["retention", "--older-than", "180d"])
    assert result.exit_code == 0, result.output
    assert "1/1 cases: 1 compacted" in result.output
    state_after, revision_after = _state(app, old)
    assert len(state_after) < len(state_before) and revision_after == revision_before + 1
    assert "platform_history" in state_after
    assert _state(app, recent) == recent_state  # untouched: too young
    with app.app_context():
        assert {r.instance_id for r in db.session.execute(select(RetainedCase)).scalars()} == {old}
        after_diagram = views.diagram(old, admin)
        after = views.instance_detail(old, admin)
        assert after_diagram.completed == before_diagram.completed and after_diagram.active == []
        assert [(e.kind, e.at) for e in after.history] == before_history
        assert dict(after.data) == before_data and after.status == "completed"
        kinds = [e.kind for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
        assert kinds[-1] == "retention_run"
    # The case page (diagram marks, timeline) still renders for the old case.
    page = ok(login(app, "admin").get(f"/cases/{old}"), 200)
    assert "核查结案" in text(page)
    diagram = ok(api.get(f"/instances/{old}", "admin"), 200).get_json()
    assert diagram["status"] == "completed" and diagram["history"][-1]["kind"] == "instance_completed"

    again = runner.invoke(args=["retention", "--older-than", "180d"])
    assert again.exit_code == 0 and "0/0 cases: 0 compacted" in again.output  # idempotent
    assert running and _state(app, running)[0]


def test_retention_refuses_a_bad_age(app):
    result = app.test_cli_runner().invoke(args=["retention", "--older-than", "never"])
    assert result.exit_code != 0 and "an age is a number" in result.output
