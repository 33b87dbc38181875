"""Data entering a case is checked: forms by field, reserved keys refused, nothing changed on refusal."""

import pytest

from tests.support import ok, only, sample_bundle

REPORT = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}


@pytest.fixture
def community_task(api):
    ok(api.deploy(sample_bundle()), 201)
    case = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()
    return case, only(api.tasks("staff-dc-dm"), "社区处置")


def _unchanged(api, case, task):
    detail = api.instance(case["id"])
    assert [t["id"] for t in detail["tasks"]] == [task["id"]]
    assert "task_completed" not in [e["kind"] for e in detail["history"]]


def test_invalid_form_data_gets_field_errors_and_changes_nothing(api, community_task):
    case, task = community_task
    response = api.complete(task["id"], "staff-dc-dm", {"handling_note": "x", "after_photos": "not a list"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"handling_note", "after_photos"}
    assert "short" in errors["handling_note"][0] and "array" in errors["after_photos"][0]
    _unchanged(api, case, task)


def test_missing_required_field(api, community_task):
    case, task = community_task
    response = api.complete(task["id"], "staff-dc-dm", {})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"handling_note": ["this field is required"]}
    _unchanged(api, case, task)


def test_undeclared_fields_are_refused(api, community_task):
    case, task = community_task
    response = api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处理", "approved_by_mayor": True})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"approved_by_mayor": ["unknown field: the form does not declare it"]}
    _unchanged(api, case, task)


def test_read_only_fields_come_from_the_case(api, community_task):
    case, task = community_task
    changed = api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处理", "description": "改写描述"})
    assert changed.status_code == 422 and "description" in changed.get_json()["errors"]
    _unchanged(api, case, task)
    echoed = api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处理", "description": "路灯不亮"})
    assert echoed.status_code == 200
    assert api.instance(case["id"])["data"]["description"] == "路灯不亮"


def test_start_data_is_validated_against_the_start_form(api):
    ok(api.deploy(sample_bundle()), 201)
    response = api.start("minor_event", "dc-dm-01", {"category": "aliens", "description": "x"}, "worker-dc-dm-01")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"category", "severity", "description"}
    assert api.get("/tasks", "staff-dc-dm").get_json() == []


@pytest.mark.parametrize("data, field", [
    ({"handling_note": "ok", "meta": {"typename": "BpmnWorkflow"}}, "meta.typename"),
    ({"typename": "x"}, "typename"),
    ({"now": "shadow"}, "now"),
    ({"len": 3}, "len"),
    ({"_getattr_": 1}, "_getattr_"),
])
def test_reserved_keys_are_refused(api, community_task, data, field):
    case, task = community_task
    response = api.complete(task["id"], "staff-dc-dm", data)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    _unchanged(api, case, task)


def test_reserved_keys_refused_at_start(api):
    ok(api.deploy(sample_bundle()), 201)
    response = api.start("minor_event", "dc-dm-01", {**REPORT, "typename": "x"}, "worker-dc-dm-01")
    assert response.status_code == 422 and "typename" in response.get_json()["errors"]


@pytest.mark.parametrize("body", [
    {"org_unit": "dc-dm-01", "data": {}},
    {"process_key": "minor_event", "org_unit": "dc-dm-01", "data": "nope"},
    {"process_key": "minor_event", "org_unit": "nowhere", "data": {}},
    {"process_key": "no_such_process", "org_unit": "dc-dm-01", "data": {}},
])
def test_bad_start_requests_are_422(api, body):
    ok(api.deploy(sample_bundle()), 201)
    response = api.post("/instances", "worker-dc-dm-01", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]


def test_non_json_body_is_not_a_500(api, community_task):
    _, task = community_task
    response = api.client.post(f"/api/v1/tasks/{task['id']}/complete", data="{{{", content_type="application/json",
                               headers=api.headers("staff-dc-dm"))
    assert response.status_code in (400, 422)
    assert response.get_json()["code"] == response.status_code
