"""A three-town demo tree: every role sees exactly the tasks it should, and nothing across units."""

import pytest

from tests import models
from workflow_app import demo

ROLES = ("grid_worker", "grid_leader", "community_staff", "community_head", "town_dispatcher", "town_leader",
         "department_staff", "department_head", "county_supervisor")
CASES = (("dc-dm-01", "dept-cg"), ("dc-bg-02", "dept-zj"), ("xs-sq-01", "dept-cg"), ("nh-yz-02", "dept-yj"))


def all_roles_model() -> bytes:
    """Start -> fork -> one user task per role (lane = role code) -> join -> end."""
    tasks = "".join(models.user_task(f"t_{r}", f"任务_{r}") for r in ROLES)
    flows = "".join(models.flow(f"fo_{r}", "fork", f"t_{r}") + models.flow(f"fi_{r}", f"t_{r}", "join") for r in ROLES)
    body = ('<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>' + tasks
            + '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="end"/>'
            + models.chain("start", "fork") + flows + models.chain("join", "end"))
    lanes = {r: [f"t_{r}"] for r in ROLES}
    lanes["grid_worker"] += ["start", "fork", "join", "end"]
    return models.process("all_roles", body, lanes)


def scope_of(role: str, grid: str, department: str) -> str:
    community, town = grid.rsplit("-", 1)[0], grid.split("-")[0]
    return {"grid_worker": grid, "grid_leader": grid, "community_staff": community, "community_head": community,
            "town_dispatcher": town, "town_leader": town, "department_staff": department,
            "department_head": department, "county_supervisor": "qingxi"}[role]


def ancestors(code: str) -> set[str]:
    if code.startswith("dept-") or code == "qingxi":
        return {code, "qingxi"}
    parts = code.split("-")
    return {"-".join(parts[:i]) for i in range(1, len(parts) + 1)} | {"qingxi"}


@pytest.fixture
def cases(api):
    assert api.deploy({"all_roles.bpmn": all_roles_model()}).status_code == 201
    started = {}
    for grid, department in CASES:
        response = api.start("all_roles", grid, {"department": department, "title": f"{grid}事件"},
                             f"worker-{grid}")
        assert response.status_code == 201, response.get_json()
        started[response.get_json()["id"]] = (grid, department)
    tasks = {}
    for instance_id, (grid, department) in started.items():
        for task in api.instance(instance_id)["tasks"]:
            tasks[task["id"]] = (task["role"], scope_of(task["role"], grid, department))
    assert len(tasks) == len(CASES) * len(ROLES)
    return tasks


def expected_for(assignments, tasks) -> set[int]:
    return {tid for tid, (role, scope) in tasks.items()
            if any(r == role and unit in ancestors(scope) for r, unit in assignments)}


def test_every_demo_user_sees_exactly_their_tasks(api, cases):
    for username, _name, assignments in demo.demo_users():
        inbox = api.get("/inbox?per_page=100", username).get_json()
        seen = {item["id"] for item in inbox["items"]}
        assert seen == expected_for(assignments, cases), username
        assert inbox["total"] == inbox["counts"]["open"] == len(seen)
        assert {t["id"] for t in api.tasks(username)} == seen, username


def test_task_org_units_follow_the_role_levels(api, cases):
    for tid, (_role, scope) in cases.items():
        detail = api.get(f"/tasks/{tid}", "admin").get_json()
        assert detail["org_unit"] == scope


@pytest.mark.parametrize("role, insider, outsiders", [
    ("grid_worker", "worker-dc-dm-01", ["worker-dc-dm-02", "worker-dc-bg-01", "worker-xs-sq-01"]),
    ("community_staff", "staff-dc-dm", ["staff-dc-bg", "staff-xs-sq"]),
    ("town_dispatcher", "dispatcher-dc", ["dispatcher-xs", "dispatcher-nh"]),
    ("department_staff", "dept-cg-staff", ["dept-zj-staff", "dept-yj-staff"]),
])
def test_cross_unit_reads_and_writes_are_denied(api, cases, role, insider, outsiders):
    wanted = (role, scope_of(role, "dc-dm-01", "dept-cg"))
    task_id = min(tid for tid, found in cases.items() if found == wanted)
    for outsider in outsiders:
        assert api.get(f"/tasks/{task_id}", outsider).status_code == 403, outsider
        assert api.post(f"/tasks/{task_id}/claim", outsider).status_code == 403, outsider
        assert api.complete(task_id, outsider, {}).status_code == 403, outsider
        assert api.post(f"/tasks/{task_id}/comments", outsider, json={"text": "越权"}).status_code == 403
        assert api.get(f"/tasks/{task_id}/comments", outsider).status_code == 403
        assert api.post(f"/tasks/{task_id}/delegate", outsider, json={"username": outsider}).status_code == 403
        assert api.get(f"/tasks/{task_id}/eligible-users", outsider).status_code == 403
    assert api.get(f"/tasks/{task_id}", insider).status_code == 200
    assert api.post(f"/tasks/{task_id}/claim", insider).status_code == 200
