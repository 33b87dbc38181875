"""The demo county's admission data: about twenty admitted items from real lists, one application
at each stage, one withdrawn item, department assignments in progress including a refused one."""

from sqlalchemy import func, select

from tests.test_admission_helpers import clock_fixture, deploy  # noqa: F401 - fixtures
from workflow_app.admission import demo
from workflow_app.admission.records import Application
from workflow_app.extensions import db
from workflow_app.models import CaseFact, ProcessInstance


def test_demo_seed(api, clock):
    deploy(api)
    with api.app.app_context():
        assert demo.seed() >= 20
        statuses = set(db.session.scalars(select(Application.status)))
        assert {"screened_out", "town_review", "meeting", "approved", "refused"} <= statuses
        refused = db.session.scalar(select(func.count()).select_from(CaseFact).where(
            CaseFact.kind == "assignment_refused"))
        assert refused == 1
        running = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.process_key == "department_assignment", ProcessInstance.status == "running"))
        assert running == 2
        assert demo.seed() >= 20  # idempotent: no second set of cases
        assert db.session.scalar(select(func.count()).select_from(Application)) == 5
    items = api.get("/admission/items?status=all", "staff-dc-dm").get_json()
    assert len(items) >= 20
    assert [i["code"] for i in items if i["status"] == "withdrawn"] == ["QX-SJ-01"]
    assert api.get("/admission/items?org_unit=dc-dm", "staff-dc-dm").get_json()
