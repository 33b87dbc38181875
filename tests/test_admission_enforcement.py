"""Enforcement through the case service's guard, over the API as the real roles: work under an
admitted item reaches the communities; under an unknown, withdrawn, not-yet or other-units item it
is refused with ``item_not_admitted`` and nothing is left behind; a case whose item is withdrawn
while it runs gets no further community task and is blocked where the department and the
supervisors see it, until the department routes it back or ends it; processes that declare no
item are refused when a department pushes them; the county's levels and exempt list apply."""

from datetime import datetime

import pytest

from tests.support import ok, only
from tests.test_admission_helpers import (  # noqa: F401 - the *_fixture names are fixtures
    BEIJING,
    MEETING,
    adm_fixture,
    assign,
    assignment,
    clock_fixture,
    counts,
    csv_rows,
    facts,
    import_items,
    listed_fixture,
)

PUSHED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="{key}" name="部门推送" isExecutable="true">
    {declaration}
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l_dept" name="{starter}"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>prepare</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l_town" name="镇街派遣员"><bpmn:flowNodeRef>town_step</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l_comm" name="社区工作者"><bpmn:flowNodeRef>community_step</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:script>note = "ok"</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="town_step" name="镇街转办"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="community_step" name="社区落实"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="town_step"/>
    <bpmn:sequenceFlow id="f2" sourceRef="town_step" targetRef="community_step"/>
    <bpmn:sequenceFlow id="f3" sourceRef="community_step" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
CONSTANT = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="admission_item" '
            'value="{code}"/></spiffworkflow:properties></bpmn:extensionElements>')


def put(api, path: str, user: str, json: dict):
    return api.client.put(f"/api/v1{path}", headers=api.headers(user), json=json)


def pushed(key="pushed_work", declaration="", starter="部门处置人员") -> dict[str, bytes]:
    return {f"{key}.bpmn": PUSHED.format(key=key, declaration=declaration, starter=starter).encode()}


def test_an_assignment_under_an_admitted_item_reaches_the_communities_inboxes(listed):
    case = ok(assign(listed), 201).get_json()
    for community in ("dc-dm", "dc-bg"):
        task = only(listed.tasks(f"staff-{community}", process_key="department_assignment"), "社区办理")
        assert task["org_unit"] == community and task["instance_id"] == case["id"]
        assert task["due_at"] == "2026-05-29T10:00:00+00:00"  # 18:00 on the due date
    assert listed.tasks("staff-xs-sq") == [] and listed.tasks("staff-nh-hb") == []
    assert facts(listed.app, "admission_refused") == []


@pytest.mark.parametrize("changes, problem, units", [
    ({"item_code": "QX-NOPE-01"}, "unknown", ["dc-dm", "dc-bg"]),
    ({"item_code": "QX-CG-09"}, "withdrawn", ["dc-dm", "dc-bg"]),
    ({"item_code": "QX-SL-01"}, "not_for_unit", ["dc-dm", "dc-bg"]),  # admitted for 西山镇's villages only
    ({"communities": ["dc-dm", "xs-sq"]}, "not_for_unit", ["xs-sq"]),  # all of the assignment or none of it
    ({"item_code": "QX-SL-01", "communities": ["xs-sq"]}, "other_department", ["xs-sq"]),  # 水利局's item
])
def test_work_under_an_item_not_admitted_there_is_refused_and_leaves_nothing_behind(listed, changes, problem, units):
    before = counts(listed.app)
    response = assign(listed, assignment(**changes))
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["code"] == "item_not_admitted" and body["problem"] == problem and body["units"] == units
    assert body["errors"]["item_code"] and body["message"] and body["message_zh"]
    assert counts(listed.app) == {**before, "refused": before["refused"] + 1}
    assert listed.tasks("staff-dc-dm") == [] and listed.tasks("staff-xs-sq") == []
    [(department, detail)] = facts(listed.app, "admission_refused")
    assert department == "dept-cg" and detail["units"] == units and detail["problem"] == problem


def test_not_yet_in_force_and_expired_items_are_refused(listed, clock):
    ok(import_items(listed, csv_rows(
        "QX-CG-20,协助开展夏季防溺水宣传,assist,dept-cg,《未成年人保护法》第四十条,dc,community,2026-06-01,,admitted,,0,0",
        "QX-CG-21,协助开展冬季供暖排查,assist,dept-cg,《城市供热条例》,dc,community,2025-11-01,2026-02-28,admitted,,0,0")))
    for code, problem in (("QX-CG-20", "not_yet"), ("QX-CG-21", "expired")):
        body = assign(listed, assignment(item_code=code)).get_json()
        assert (body["code"], body["problem"]) == ("item_not_admitted", problem)
    clock.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=BEIJING))
    ok(assign(listed, assignment(item_code="QX-CG-20", due_date="2026-06-30")), 201)


def _returned_after_withdrawal(api, clock) -> int:
    """An assignment whose item is withdrawn while 东门社区's report waits for the department."""
    case = ok(assign(api), 201).get_json()["id"]
    task = only(api.tasks("staff-dc-dm", process_key="department_assignment"))
    ok(api.complete(task["id"], "staff-dc-dm", {"result": "done", "report": "已完成巡查", "evidence": ["p1.jpg"]}))
    review = only(api.tasks("dept-cg-staff", process_key="department_assignment"), "部门验收")
    ok(api.start("item_withdrawal", "qingxi", {"item_code": "QX-CG-01", "department": "dept-cg",
                                               "reason": "职责调整"}, "admin"), 201)
    ok(api.complete(review["id"], "dept-cg-staff", {"review": "return", "review_note": "补充照片"}))
    return case


def test_a_case_running_when_its_item_is_withdrawn_gets_no_further_community_task(listed, clock):
    case = _returned_after_withdrawal(listed, clock)
    assert listed.tasks("staff-dc-dm", process_key="department_assignment") == []  # no new 社区办理
    for user in ("dept-cg-staff", "supervisor", "admin"):
        detail = listed.instance(case, user)
        assert detail["status"] == "blocked", user
        assert detail["error"]["code"] == "item_not_admitted" and detail["error"]["detail"]["units"] == ["dc-dm"]
    for user in ("dept-cg-staff", "dept-cg-head", "supervisor", MEETING):
        blocked = listed.get("/admission/blocked", user).get_json()
        assert [(b["id"], b["item_code"], b["problem"]) for b in blocked] == [(case, "QX-CG-01", "withdrawn")], user
    for user in ("dept-zj-staff", "staff-xs-sq"):
        assert listed.get("/admission/blocked", user).get_json() == [], user
    assert [d["units"] for _, d in facts(listed.app, "admission_refused")] == [["dc-dm"]]
    ok(listed.post(f"/instances/{case}/retry", "admin", json={"data": {}}))  # an admin's re-check holds again
    assert listed.instance(case)["status"] == "blocked"
    assert len(facts(listed.app, "admission_refused")) == 1  # the same hold is one refusal


def test_the_department_routes_a_blocked_case_back_and_reassigns_it_under_an_admitted_item(listed, clock):
    case = _returned_after_withdrawal(listed, clock)
    ok(import_items(listed, csv_rows(
        "QX-CG-02,协助推进生活垃圾分类,assist,dept-cg,《固体废物污染环境防治法》第四十九条,dc,community,2026-01-01,,admitted,,"
        "30000,1")))
    assert listed.post(f"/admission/blocked/{case}/route-back", "dept-zj-staff",
                       json={"reason": "x"}).status_code in (403, 404)
    assert listed.post(f"/admission/blocked/{case}/route-back", "dept-cg-staff", json={}).status_code == 422
    ok(listed.post(f"/admission/blocked/{case}/route-back", "dept-cg-staff", json={"reason": "事项已退出"}))
    assert listed.instance(case)["status"] == "running"
    bg = only(listed.tasks("staff-dc-bg", process_key="department_assignment"))
    ok(listed.complete(bg["id"], "staff-dc-bg", {"result": "refused", "reason": "经费未随事转"}))
    reroute = only(listed.tasks("dept-cg-staff", process_key="department_assignment"), "处理退回的交办")
    ok(listed.complete(reroute["id"], "dept-cg-staff", {"reroute": "reassign", "new_item_code": "QX-CG-02"}))
    again = only(listed.tasks("staff-dc-dm", process_key="department_assignment"), "社区办理")
    assert again["instance_id"] == case
    assert listed.tasks("staff-dc-bg", process_key="department_assignment") == []  # it refused; not sent again
    history = [e["kind"] for e in listed.instance(case)["history"]]
    assert "admission_routed_back" in history and history.count("instance_blocked") == 1


def test_the_department_or_an_administrator_may_end_a_blocked_case(listed, clock):
    case = _returned_after_withdrawal(listed, clock)
    assert listed.post(f"/admission/blocked/{case}/terminate", "staff-dc-dm",
                       json={"reason": "x"}).status_code in (403, 404)
    ok(listed.post(f"/admission/blocked/{case}/terminate", "dept-cg-head", json={"reason": "事项已退出，撤销交办"}))
    detail = listed.instance(case)
    assert detail["status"] == "terminated" and detail["tasks"] == []
    assert listed.tasks("staff-dc-bg", process_key="department_assignment") == []
    assert listed.post(f"/admission/blocked/{case}/terminate", "admin", json={"reason": "再次"}).status_code == 409
    assert listed.get("/admission/blocked", "supervisor").get_json() == []


def test_a_process_declaring_no_item_is_refused_when_a_department_pushes_it(adm):
    ok(adm.deploy(pushed()), 201)
    before = counts(adm.app)
    body = adm.start("pushed_work", "dc-dm", {"department": "dept-cg"}, "dept-cg-staff").get_json()
    assert body["code"] == "item_not_admitted" and body["problem"] == "undeclared", body
    assert counts(adm.app) == {**before, "refused": before["refused"] + 1}
    ok(adm.deploy(pushed("town_work", starter="镇街派遣员")), 201)  # the town's own work is not pushed work
    ok(adm.start("town_work", "dc-dm", {}, "dispatcher-dc"), 201)
    town = only(adm.tasks("dispatcher-dc"))
    ok(adm.complete(town["id"], "dispatcher-dc", {}))
    assert only(adm.tasks("staff-dc-dm"))["name"] == "社区落实"


def test_the_county_lists_the_exempt_processes_and_the_enforced_levels(adm):
    ok(adm.deploy(pushed()), 201)
    assert adm.get("/admission/settings", "staff-dc-dm").get_json()["exempt"] == ["event_handling"]
    assert put(adm, "/admission/settings", "dept-cg-staff", json={"levels": ["grid"]}).status_code == 403
    assert put(adm, "/admission/settings", "admin", json={"levels": ["county"]}).status_code == 422
    ok(put(adm, "/admission/settings", MEETING, json={"levels": ["community", "grid"],
                                                      "exempt": ["event_handling", "pushed_work"]}))
    ok(adm.start("pushed_work", "dc-dm", {"department": "dept-cg"}, "dept-cg-staff"), 201)
    ok(put(adm, "/admission/settings", "admin", json={"levels": ["grid"], "exempt": ["event_handling"]}))
    ok(adm.start("pushed_work", "dc-dm", {"department": "dept-cg"}, "dept-cg-staff"), 201)  # communities are free now
    ok(put(adm, "/admission/settings", "admin", json={"levels": ["town"], "exempt": []}))
    assert adm.start("pushed_work", "dc-dm", {"department": "dept-cg"}, "dept-cg-staff").status_code == 422


def test_a_model_may_name_its_item_as_a_constant(listed):
    ok(listed.deploy(pushed("patrol", CONSTANT.format(code="QX-CG-01"), "镇街派遣员")), 201)
    ok(listed.start("patrol", "dc-dm", {}, "dispatcher-dc"), 201)
    town = only(listed.tasks("dispatcher-dc", process_key="patrol"))
    ok(listed.complete(town["id"], "dispatcher-dc", {}))
    assert only(listed.tasks("staff-dc-dm", process_key="patrol"))["name"] == "社区落实"
    body = listed.start("patrol", "xs-sq", {}, "dispatcher-xs").get_json()  # the item is not 西山镇's
    assert (body["code"], body["problem"], body["units"]) == ("item_not_admitted", "not_for_unit", ["xs-sq"])


def test_hostile_item_codes_are_refused_cleanly(listed):
    for code in ("", " ", "x" * 5000, "QX-CG-01\u0000", "../../etc", "' OR 1=1 --"):
        response = assign(listed, assignment(item_code=code))
        assert response.status_code in (400, 422), (code, response.get_json())
    for value in ([1, 2], {"a": 1}, None, 12):
        assert assign(listed, assignment(item_code=value)).status_code == 422
    assert assign(listed, assignment(communities=["dc-dm"] * 300)).status_code == 422
