"""Defect 4: a process without a start lane was offered to everyone, residents included. Who may
start a process comes from the model (the start event's lane); a model whose start event is in no
lane is startable by designers and administrators only, until its designer puts it in a lane."""

from sqlalchemy import select

from tests.support import ok, sample_bundle
from workflow_app.cases import starting
from workflow_app.extensions import db
from workflow_app.models import User

REPORT = {"category": "environment", "severity": "minor", "address": "东门路12号", "description": "路边垃圾堆放"}
BPMN = "minor_event.bpmn"


def without_start_lane() -> dict[str, bytes]:
    files = sample_bundle()
    ref = b"<bpmn:flowNodeRef>report</bpmn:flowNodeRef>"
    assert ref in files[BPMN]
    return {**files, BPMN: files[BPMN].replace(ref, b"")}


def offered(api, username: str) -> list[str]:
    with api.app.test_request_context():
        person = db.session.execute(select(User).where(User.username == username)).scalar_one()
        return [option.key for option in starting.options(person)]


def test_a_process_without_a_start_lane_is_startable_by_designers_and_admins_only(api):
    ok(api.deploy(without_start_lane()), 201)
    for username in ("resident-dc-dm", "worker-dc-dm-01", "staff-dc-dm"):
        ok(api.start("minor_event", "dc-dm-01", REPORT, username), 403)
        assert "minor_event" not in offered(api, username)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "designer"), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "admin"), 201)
    assert "minor_event" in offered(api, "designer")


def test_once_its_designer_puts_the_start_in_a_lane_that_lane_decides(api):
    ok(api.deploy(without_start_lane()), 201)
    ok(api.deploy(sample_bundle()), 201)  # v2: the start event back in the grid workers' lane
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "resident-dc-dm"), 403)
    assert "minor_event" in offered(api, "worker-dc-dm-01")
