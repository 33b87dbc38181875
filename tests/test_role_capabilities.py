"""What a role may do beyond its tasks is data in the role table: changing a role's capabilities
changes who may urge, supervise, oversee and design, with no code change."""

from tests.support import ok, only, sample_bundle
from workflow_app.extensions import db
from workflow_app.models import Role
from workflow_app.repository.caches import forget_org

REPORT = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}


def _capabilities(app, code: str, value: str | None) -> None:
    with app.app_context():
        db.session.get(Role, code).capabilities = value
        db.session.commit()
        forget_org()
        db.session.remove()


def test_who_may_urge_and_oversee_follows_the_role_table(api):
    ok(api.deploy(sample_bundle()))
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    assert api.post(f"/tasks/{task['id']}/urge", "leader-dc", json={}).status_code == 403
    assert api.get("/supervision/summary?org_unit=dc", "head-dc-dm").status_code == 403
    assert api.get("/supervision/summary?org_unit=dc-dm", "head-dc-dm").status_code == 200

    _capabilities(api.app, "town_leader", "oversee,urge")
    _capabilities(api.app, "community_head", "")
    assert api.post(f"/tasks/{task['id']}/urge", "leader-dc", json={"message": "快"}).status_code == 200
    assert api.get("/supervision/summary?org_unit=dc-dm", "head-dc-dm").status_code == 403


def test_design_rights_are_a_capability(api):
    refused = api.deploy(sample_bundle(), user="supervisor")
    assert refused.status_code == 403
    _capabilities(api.app, "county_supervisor", "supervise,urge,oversee,approve_fallback,design")
    assert api.deploy(sample_bundle(), user="supervisor").status_code in (200, 201)
