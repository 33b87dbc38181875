"""Tokens, identity, rate limits, and the basic authorisation of task actions."""

from sqlalchemy import text

from tests.support import ok, only, sample_bundle
from workflow_app.extensions import db

REPORT = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}


def test_token_whoami_and_revoke(api):
    token = api.token("staff-dc-dm")
    headers = {"Authorization": f"Bearer {token}"}
    me = api.client.get("/api/v1/auth/whoami", headers=headers).get_json()
    assert me["username"] == "staff-dc-dm"
    assert me["roles"] == [{"role": "community_staff", "org_unit": "dc-dm", "org_unit_name": "东门社区"}]
    assert api.client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert api.client.get("/api/v1/auth/whoami", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(api):
    token = api.token("admin")
    with api.app.app_context():
        stored = [r[0] for r in db.session.execute(text("SELECT token_hash FROM api_token"))]
    assert token not in stored and len(stored[0]) == 64


def test_wrong_password_and_missing_token(api):
    bad = api.client.post("/api/v1/auth/token", json={"username": "admin", "password": "nope"})
    assert bad.status_code == 401 and bad.get_json()["reason"] == "unauthenticated"
    assert api.client.get("/api/v1/tasks").status_code == 401
    junk = api.client.get("/api/v1/tasks", headers={"Authorization": "Bearer wft_forged"})
    assert junk.status_code == 401


def test_login_is_rate_limited(api):
    tries = [api.client.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong"}).status_code
             for _ in range(10)]
    assert tries[:5] == [401] * 5 and set(tries) <= {401, 429}, tries  # refused as wrong, then slowed down
    blocked = api.client.post("/api/v1/auth/token", json={"username": "admin", "password": "demo123"})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]


def test_start_needs_the_start_lane_role_in_scope(api):
    ok(api.deploy(sample_bundle()), 201)
    assert api.start("minor_event", "dc-dm-02", REPORT, "worker-dc-dm-01").status_code == 403
    assert api.start("minor_event", "dc-dm-01", REPORT, "staff-dc-dm").status_code == 403
    assert api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01").status_code == 201


def test_only_the_scoped_role_completes_a_task(api):
    ok(api.deploy(sample_bundle()), 201)
    case = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    for outsider in ("staff-dc-bg", "worker-dc-dm-01", "dispatcher-dc", "admin"):
        assert api.tasks(outsider) == []
        assert api.complete(task["id"], outsider, {"handling_note": "越权"}).status_code == 403
    assert api.get(f"/instances/{case['id']}", "staff-xs-sq").status_code == 403
    assert api.get(f"/instances/{case['id']}", "dispatcher-dc").status_code == 200
    assert api.get(f"/tasks/{task['id']}", "staff-dc-bg").status_code == 403
    assert api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处理"}).status_code == 200


def test_audit_trail_is_append_only(api):
    ok(api.deploy(sample_bundle()), 201)
    with api.app.app_context():
        for statement in ("UPDATE audit_event SET kind = 'forged'", "DELETE FROM audit_event"):
            try:
                db.session.execute(text(statement))
                db.session.commit()
                raise AssertionError(f"{statement} was allowed")
            except AssertionError:
                raise
            except Exception as error:
                db.session.rollback()
                assert "append-only" in str(error)
        kinds = [r[0] for r in db.session.execute(text("SELECT kind FROM audit_event"))]
    assert "definition_deployed" in kinds and "forged" not in kinds


def test_openapi_document_lists_the_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/auth/token", "post"), ("/api/v1/definitions", "post"), ("/api/v1/definitions", "get"),
        ("/api/v1/definitions/{key}/versions", "get"),
        ("/api/v1/definitions/{key}/versions/{number}/files/{name}", "get"),
        ("/api/v1/org-units", "get"), ("/api/v1/instances", "post"), ("/api/v1/instances/{instance_id}", "get"),
        ("/api/v1/tasks", "get"), ("/api/v1/tasks/{task_id}/complete", "post"),
    ]:
        assert method in paths[path], (path, method)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_org_units_listing(api):
    units = api.get("/org-units", "worker-dc-dm-01").get_json()
    by_code = {u["code"]: u for u in units}
    assert by_code["qingxi"]["parent"] is None and by_code["qingxi"]["level"] == "county"
    assert by_code["dc-dm-01"] == {"code": "dc-dm-01", "name": "东门社区第1网格", "name_en": "Dongmen Community Grid 1",
                                   "level": "grid", "type": "area", "grid_type": "重点", "duty": None,
                                   "parent": "dc-dm"}
    assert by_code["dept-cg"]["type"] == "department"
    towns = api.get("/org-units?level=town", "worker-dc-dm-01").get_json()
    assert [u["code"] for u in towns] == ["dc", "xs", "nh"]
    assert len(api.get("/org-units?parent=dc", "admin").get_json()) == 2


def test_unknown_api_route_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["code"] == 404


def test_ids_beyond_64_bits_are_not_found_not_errors(api):
    huge = 85156826778019627008
    for path in (f"/tasks/{huge}", f"/instances/{huge}", f"/tasks/{huge}/eligible-users",
                 f"/definitions/x/versions/{huge}/files/a.bpmn"):
        assert api.get(path, "admin").status_code == 404, path
    assert api.post(f"/tasks/{huge}/complete", "admin", json={"data": {}}).status_code == 404
