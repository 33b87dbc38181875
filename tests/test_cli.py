"""The command line: migrate, demo, deploy (idempotent), definitions, create-user, start."""

from workflow_app import demo
from workflow_app.extensions import db
from workflow_app.models import ProcessInstance, User


def test_demo_then_cli_round_trip(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"{len(demo.demo_users())} users" in result.output and "minor_event@*" in result.output
    assert "event_handling@dc" in result.output and "sample cases started" in result.output

    again = runner.invoke(args=["demo"])  # idempotent: nothing duplicated
    assert again.exit_code == 0 and " 0 sample cases" in again.output
    deploy = runner.invoke(args=["deploy"])
    assert deploy.exit_code == 0 and "v1 unchanged" in deploy.output

    listing = runner.invoke(args=["definitions"])
    assert "minor_event" in listing.output and "v1" in listing.output

    created = runner.invoke(args=["create-user", "zhang", "--role", "grid_worker@xs-sq-01",
                                  "--role", "grid_leader", "--org-unit", "xs-sq-02",
                                  "--password", "s3cret!", "--name", "张网格"])
    assert created.exit_code == 0, created.output
    assert "grid_worker@xs-sq-01" in created.output and "grid_leader@xs-sq-02" in created.output

    with app.app_context():
        before = db.session.query(ProcessInstance).count()
    started = runner.invoke(args=["start", "minor_event", "--org-unit", "xs-sq-01", "--user", "zhang", "--data",
                                  '{"category": "facility", "severity": "general", "description": "桥灯损坏"}'])
    assert started.exit_code == 0, started.output
    refused = runner.invoke(args=["start", "minor_event", "--org-unit", "dc-dm-01", "--user", "zhang"])
    assert refused.exit_code != 0 and ("may not" in refused.output or "needs role" in refused.output), refused.output

    with app.app_context():
        assert db.session.query(ProcessInstance).count() == before + 1
        assert db.session.query(User).filter_by(username="zhang").one().name == "张网格"


def test_create_user_with_unknown_unit_fails_cleanly(app):
    runner = app.test_cli_runner()
    migrated = runner.invoke(args=["migrate"])
    assert migrated.exit_code == 0, migrated.output
    result = runner.invoke(args=["create-user", "li", "--role", "grid_worker@nowhere", "--password", "x"])
    assert result.exit_code != 0 and "unknown org unit" in result.output
