"""Issue 10, finding 8: who sees which fields of cases and households is data (org/visibility.json),
applied on every read path. This walks every role of the demo county against every field class.

The case: a resident of 东门社区 (dc-dm) reports at grid dc-dm-01, and the town summons 城市管理局
(dept-cg). The household: one in dc-dm-01 with every field filled in."""

import io
import json
from datetime import timedelta

import pytest

from tests import models
from tests.support import ApiClient, only
from tests.test_web_pages import login
from workflow_app import clock
from workflow_app.extensions import db
from workflow_app.models import User
from workflow_app.org import visibility

ALL = {"summary", "content", "location", "contact"}
NONE: set = set()
# Case field classes each user sees (the policy, written out as a person would say it).
CASE_MATRIX = {
    "admin": ALL, "supervisor": ALL,
    "evaluator": {"summary", "content"},          # phone and address only while in their sample
    "designer": NONE,                              # no production data for process designers
    "dispatcher-dc": ALL, "leader-dc": ALL, "dispatcher-xs": NONE,
    "staff-dc-dm": ALL, "head-dc-dm": ALL, "staff-dc-bg": NONE,
    "worker-dc-dm-01": ALL, "gridlead-dc-dm-01": ALL, "worker-dc-dm-02": NONE,
    "dept-cg-staff": ALL, "dept-cg-head": ALL,     # summoned: a task of the case is theirs
    "dept-zj-staff": NONE, "dept-zj-head": NONE,
    "resident-dc-dm": ALL,                         # their own report
    "neighbour": NONE, "resident-dc-bg": NONE,     # other residents: not even that it exists
}
EVERY_HOUSEHOLD_CLASS = {"basic", "address", "special_groups", "personal"}
HOUSEHOLD_MATRIX = {
    "admin": EVERY_HOUSEHOLD_CLASS, "supervisor": {"basic", "special_groups"},
    "evaluator": NONE, "designer": NONE,
    "dispatcher-dc": {"basic", "address", "special_groups"}, "leader-dc": {"basic", "address", "special_groups"},
    "dispatcher-xs": NONE,
    "staff-dc-dm": EVERY_HOUSEHOLD_CLASS, "head-dc-dm": EVERY_HOUSEHOLD_CLASS, "staff-dc-bg": NONE,
    "worker-dc-dm-01": EVERY_HOUSEHOLD_CLASS, "gridlead-dc-dm-01": EVERY_HOUSEHOLD_CLASS, "worker-dc-dm-02": NONE,
    "dept-cg-staff": NONE, "dept-cg-head": NONE, "dept-zj-staff": NONE, "dept-zj-head": NONE,
    "resident-dc-dm": NONE, "neighbour": NONE, "resident-dc-bg": NONE,
}
KEYS = {"content": "description", "location": "address", "contact": "contact_phone"}
HOUSEHOLD_KEYS = {"basic": "members", "address": "address", "special_groups": "elderly_alone", "personal": "phone"}
PHONE, ADDRESS = "13912345678", "东门路88号3单元"


def summon() -> bytes:
    handle = models.user_task("handle", "部门处置")
    return models.simple("summoned", handle, lanes={"department_staff": ["handle"]})


@pytest.fixture
def world(api: ApiClient):
    created = api.app.test_cli_runner().invoke(args=["create-user", "neighbour", "--role", "resident@dc-dm",
                                                     "--password", "demo123"])
    assert created.exit_code == 0, created.output
    assert api.deploy({"summoned.bpmn": summon()}).status_code == 201
    data = {"description": "楼道堆物", "address": ADDRESS, "contact_phone": PHONE, "department": "dept-cg"}
    started = api.start("summoned", "dc-dm-01", data, "resident-dc-dm")
    assert started.status_code == 201, started.get_json()
    households = ("code,org_unit,address,head_name,phone,id_number,members,elderly_alone,hardship,disability,notes\n"
                  f"H9,dc-dm-01,{ADDRESS},孙大爷,{PHONE},330102195001011234,1,是,否,是,独居\n")
    upload = {"file": (io.BytesIO(households.encode()), "households.csv")}
    assert api.client.post("/api/v1/org/import/households", headers=api.headers("admin"), data=upload,
                           content_type="multipart/form-data").status_code == 200
    return started.get_json()["id"]


def seen_case(api, user, instance_id) -> set[str]:
    response = api.get(f"/instances/{instance_id}", user)
    if response.status_code == 403:
        return set()
    assert response.status_code == 200, (user, response.get_json())
    body = response.get_json()
    seen = {"summary"} | {klass for klass, key in KEYS.items() if key in body["data"]}
    if "contact" not in seen:
        assert "initiator" not in body["data"] and PHONE not in json.dumps(body, ensure_ascii=False), user
    if "location" not in seen:
        assert ADDRESS not in json.dumps(body, ensure_ascii=False), user
    return seen


def seen_household(api, user) -> set[str]:
    rows = [h for h in api.get("/households", user).get_json() if h["code"] == "H9"]
    if not rows:
        return set()
    return {klass for klass, key in HOUSEHOLD_KEYS.items() if rows[0][key] is not None} | {"basic"}


def test_every_role_against_every_case_field_class(api, world):
    found = {user: seen_case(api, user, world) for user in CASE_MATRIX}
    assert found == CASE_MATRIX


def test_every_role_against_every_household_field_class(api, world):
    found = {user: seen_household(api, user) for user in HOUSEHOLD_MATRIX}
    assert found == HOUSEHOLD_MATRIX
    assert api.get("/households?flag=elderly_alone", "resident-dc-dm").get_json() == []
    assert api.get("/households?org_unit=dc-dm-01", "resident-dc-dm").status_code == 403


def test_the_matrix_covers_every_role_and_class_of_the_policy(api):
    with api.app.app_context():
        policy = visibility.policy()
        from workflow_app.org.roles import BUILTIN_ROLES

        assert {code for code, *_ in BUILTIN_ROLES} <= set(policy.roles)
        for rule in policy.roles.values():
            assert set(rule.case) <= set(visibility.CASE_CLASSES)
            assert set(rule.household) <= set(visibility.HOUSEHOLD_CLASSES)
    roles_walked = {"admin", "county_supervisor", "evaluator", "process_designer", "town_dispatcher", "town_leader",
                    "community_staff", "community_head", "grid_worker", "grid_leader", "department_staff",
                    "department_head", "resident"}
    assert roles_walked == {code for code, *_ in BUILTIN_ROLES}


def test_an_evaluator_sees_a_phone_only_while_the_case_is_in_their_sample(api, world):
    assert seen_case(api, "evaluator", world) == {"summary", "content"}
    with api.app.app_context():
        evaluator = db.session.execute(db.select(User).where(User.username == "evaluator")).scalar_one()
        visibility.grant(evaluator, world, "contact", clock.now() + timedelta(days=7), reason="抽样回访",
                         granted_by="evaluation")
        visibility.grant(evaluator, world, "location", clock.now() - timedelta(seconds=1), reason="expired")
    assert seen_case(api, "evaluator", world) == {"summary", "content", "contact"}
    assert seen_case(api, "supervisor", world) == ALL  # a grant is personal
    assert seen_case(api, "designer", world) == NONE


def test_the_web_case_page_follows_the_same_policy(api, world):
    assert login(api.app, "neighbour").get(f"/cases/{world}").status_code == 403
    assert login(api.app, "designer").get(f"/cases/{world}").status_code == 403
    page = login(api.app, "evaluator").get(f"/cases/{world}").get_data(as_text=True)
    assert "楼道堆物" in page and PHONE not in page and ADDRESS not in page and "孙" not in page
    own = login(api.app, "resident-dc-dm").get(f"/cases/{world}").get_data(as_text=True)
    assert PHONE in own and ADDRESS in own


def test_task_reads_follow_the_policy(api, world):
    task = only(api.tasks("dept-cg-staff", instance_id=world), "部门处置")
    assert api.get(f"/tasks/{task['id']}", "evaluator").status_code == 200
    assert api.get(f"/tasks/{task['id']}", "designer").status_code == 403
    assert api.get(f"/tasks/{task['id']}/comments", "designer").status_code == 403
    assert api.get(f"/tasks/{task['id']}", "neighbour").status_code == 403
    people = api.get(f"/tasks/{task['id']}/eligible-users", "evaluator").get_json()
    assert people and all(p["phone"] is None for p in people)
