"""小事快办 tells the reporting grid worker what event handling tells its reporters (from the model's
node properties), and a case in error says so in plain words."""

from datetime import timedelta

import pytest
import time_machine

from tests.support import ok, only, sample_bundle
from tests.test_event_handling import MONDAY_9
from tests.test_web_case_pages import visible
from tests.test_web_pages import login
from workflow_app.extensions import db
from workflow_app.models import ProcessInstance
from workflow_app.timers import scheduler

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路边垃圾堆放"}


@pytest.fixture
def minor(api):
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        ok(api.deploy(sample_bundle()), 201)
        api.traveller = traveller
        yield api


def _kinds(api, user: str) -> list[tuple[str, int]]:
    return [(n["kind"], n["instance_id"]) for n in api.get("/notifications", user).get_json()]


def test_the_close_tells_the_grid_worker_who_reported_and_verified_it(minor):
    case = ok(minor.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()["id"]
    ok(minor.complete(only(minor.tasks("staff-dc-dm"), "社区处置")["id"], "staff-dc-dm", {"handling_note": "已清理"}))
    ok(minor.complete(only(minor.tasks("worker-dc-dm-01"), "核查结案")["id"], "worker-dc-dm-01", {"verified": True}))
    assert ("case_closed", case) in _kinds(minor, "worker-dc-dm-01")
    english = visible(ok(login(minor.app, "worker-dc-dm-01").get("/notifications?lang=en"), 200).data.decode())
    assert "Your report was resolved and closed" in english


def test_an_overdue_community_tells_the_reporter_it_went_up(minor):
    case = ok(minor.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()["id"]
    minor.traveller.shift(timedelta(days=3))
    scheduler.tick(minor.app, plan=True)
    assert only(minor.tasks("dispatcher-dc"), "镇街处置")["instance_id"] == case
    assert ("case_escalated", case) in _kinds(minor, "worker-dc-dm-01")


def test_a_minor_case_in_error_is_told_in_plain_words(minor):
    case = ok(minor.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()["id"]
    with minor.app.app_context():
        row = db.session.get(ProcessInstance, case)
        row.status, row.error = "error", {"code": "engine_error", "message": "KeyError: 'x' (engine detail)"}
        db.session.commit()
    worker = login(minor.app, "worker-dc-dm-01")
    page = visible(ok(worker.get(f"/cases/{case}?lang=zh"), 200).data.decode())
    assert "此事件处理遇到故障，已通知管理员处理" in page and "engine detail" not in page
    english = visible(ok(worker.get(f"/cases/{case}?lang=en"), 200).data.decode())
    assert "Something went wrong handling this case" in english and "engine detail" not in english
