"""The event-handling closed loop (事件处置), driven over HTTP as the real roles, with time travel."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.support import ROOT, bundle, ok
from workflow_app import demo
from workflow_app.extensions import db
from workflow_app.models import CaseFact
from workflow_app.timers import scheduler

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
GARBAGE = "E0101-01"      # 暴露垃圾: minor, 2 working hours
BIN_FULL = "B0301-01"     # 垃圾桶满溢: general, 4 working hours
POTHOLE = "B0201-01"      # 路面坑槽: serious, 2 working days
COLLAPSE = "E0401-01"     # 路面塌陷: emergency, 1 emergency hour
LAMP = "B0102-03"         # 单盏路灯不亮: general, 3 working days


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        yield traveller


@pytest.fixture
def events(api, clock):
    with api.app.app_context():
        demo.seed_catalogue()
        db.session.remove()
    response = api.deploy(bundle(ROOT / "processes" / "event_handling"))
    assert response.status_code == 201, response.get_json()
    return api


def report(api, grid: str, code: str, user: str | None = None, **data) -> int:
    body = {"condition_code": code, "address": f"{grid}路1号", "description": f"{code}问题", **data}
    response = api.start("event_handling", grid, body, user or f"worker-{grid}")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def task(api, user: str, case: int, name: str) -> dict:
    found = [t for t in api.tasks(user, instance_id=case) if t["name"] == name]
    assert len(found) == 1, (user, name, [t["name"] for t in api.tasks(user, instance_id=case)])
    return found[0]


def do(api, user: str, case: int, name: str, data: dict) -> dict:
    current = task(api, user, case, name)
    response = api.complete(current["id"], user, data)
    assert response.status_code == 200, response.get_json()
    return current


def names(api, case: int) -> list[str]:
    return sorted(t["name"] for t in api.instance(case)["tasks"])


def facts(api, case: int) -> list[tuple[str, str | None]]:
    with api.app.app_context():
        rows = db.session.execute(select(CaseFact).where(CaseFact.instance_id == case).order_by(CaseFact.id)).scalars()
        found = [(f.kind, f.unit.code if f.unit else None) for f in rows]
        db.session.remove()
    return found


def kinds(api, case: int) -> list[str]:
    return [k for k, _ in facts(api, case)]


def test_a_minor_case_is_self_handled_by_the_grid_worker(events):
    case = report(events, "dc-dm-01", GARBAGE)
    self_task = task(events, "worker-dc-dm-01", case, "网格自行处置")
    assert self_task["org_unit"] == "dc-dm-01"
    missing = events.complete(self_task["id"], "worker-dc-dm-01", {"handling_note": "已清扫"})
    assert missing.status_code == 422 and {"before_photos", "after_photos"} <= set(missing.get_json()["errors"])
    do(events, "worker-dc-dm-01", case, "网格自行处置",
       {"handling_note": "已清扫", "before_photos": ["uploads/a.jpg"], "after_photos": ["uploads/b.jpg"]})
    detail = events.instance(case)
    assert detail["status"] == "completed"
    assert {"filed", "self_handled", "completed_on_time", "closed_on_time"} <= set(kinds(events, case))


def test_a_case_is_solved_by_the_community(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    community = do(events, "staff-dc-dm", case, "社区处置",
                   {"community_result": "resolved", "handling_note": "已联系环卫清运"})
    assert community["org_unit"] == "dc-dm" and community["due_at"] == "2026-03-02T07:00:00+00:00"  # 4 working hours
    verify = do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    assert verify["org_unit"] == "dc-dm-01"
    assert events.instance(case)["status"] == "completed"
    assert kinds(events, case)[-1] == "closed_on_time"


def test_a_community_breach_escalates_to_the_town(events, clock):
    case = report(events, "dc-dm-01", BIN_FULL)
    assert names(events, case) == ["社区处置"]
    clock.move_to(MONDAY_9.replace(hour=15, second=1))  # 4 working hours: 09-12, 14-15
    scheduler.tick(events.app, plan=True)
    town = task(events, "dispatcher-dc", case, "镇街研判")
    assert town["org_unit"] == "dc" and names(events, case) == ["镇街研判"]
    assert "escalated" in kinds(events, case)


def test_the_community_may_say_it_cannot_solve_it(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve", "handling_note": "涉及多部门"})
    form = events.get(f"/tasks/{task(events, 'dispatcher-dc', case, '镇街研判')['id']}", "dispatcher-dc").get_json()
    assert form["form"]["values"]["escalation_reason"] == {"reason": "community_cannot_solve",
                                                           "community_note": "涉及多部门"}  # the form labels it


def test_whistle_three_departments_one_late_one_returns(events, clock):
    case = report(events, "dc-dm-01", POTHOLE)
    decision = task(events, "dispatcher-dc", case, "镇街研判")
    suggested = events.get(f"/tasks/{decision['id']}", "dispatcher-dc").get_json()["form"]["values"]["departments"]
    assert suggested == ["dept-zj"]  # the catalogue's department type for a pothole
    bad = events.complete(decision["id"], "dispatcher-dc", {"decision": "whistle", "departments": ["dc-dm"]})
    assert bad.status_code == 422 and "departments" in bad.get_json()["errors"]  # not a department
    empty = events.complete(decision["id"], "dispatcher-dc", {"decision": "whistle", "departments": []})
    assert empty.status_code == 422
    summons = {"decision": "whistle", "departments": ["dept-zj", "dept-cg", "dept-jt"], "lead_department": "dept-zj",
               "dispatch_note": "三部门联合处置"}
    do(events, "dispatcher-dc", case, "镇街研判", summons)
    assert names(events, case) == ["部门报到", "部门报到", "部门报到"]
    zj = task(events, "dept-zj-staff", case, "部门报到")
    assert zj["org_unit"] == "dept-zj" and zj["due_at"] == "2026-03-02T01:30:00+00:00"  # 30 minutes
    assert events.tasks("dept-sj-staff") == []

    clock.shift(timedelta(minutes=20))
    do(events, "dept-zj-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
    returned = events.complete(task(events, "dept-jt-staff", case, "部门报到")["id"], "dept-jt-staff",
                               {"check_in_note": "已到现场", "action": "return"})
    assert returned.status_code == 422 and "return_reason" in returned.get_json()["errors"]  # the reason is mandatory
    do(events, "dept-jt-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "return",
                                                 "return_reason": "非交通设施，属住建职责"})
    clock.shift(timedelta(minutes=20))  # 40 minutes after the whistle: 城管 is late
    scheduler.tick(events.app, plan=True)
    do(events, "dept-cg-staff", case, "部门报到", {"check_in_note": "迟到，已到现场", "action": "handle"})
    assert ("late_report_in", "dept-cg") in facts(events, case)
    assert ("returned", "dept-jt") in facts(events, case)
    assert not any(k == "late_report_in" and u != "dept-cg" for k, u in facts(events, case))

    do(events, "dept-zj-staff", case, "部门处置", {"handling_note": "已修补坑槽"})
    assert names(events, case) == ["部门处置"]  # 事不完、人不撤: waits for 城管
    do(events, "dept-cg-staff", case, "部门处置", {"handling_note": "已设置警示"})
    redispatch = task(events, "dispatcher-dc", case, "镇街研判")  # a return sends it back for re-dispatch
    assert redispatch
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "self", "dispatch_note": "镇街收尾"})
    do(events, "dispatcher-dc", case, "镇街处置", {"handling_note": "已完成收尾"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    assert events.instance(case)["status"] == "completed"


def test_failed_verification_means_rework_on_the_same_clock(events, clock):
    case = report(events, "dc-dm-01", BIN_FULL)
    first = do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    clock.shift(timedelta(minutes=30))
    do(events, "worker-dc-dm-01", case, "核查", {"verified": False, "verify_note": "仍有垃圾"})
    again = task(events, "staff-dc-dm", case, "社区处置")
    assert again["id"] != first["id"] and again["due_at"] == first["due_at"]  # the original clock keeps running
    assert "rework" in kinds(events, case)
    detail = events.instance(case)
    assert detail["timers"][0]["due_at"] == first["due_at"]  # the escalation timer too


def test_unsatisfied_resident_reopens_once_then_supervision(events):
    case = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm", contact_phone="13800000000")
    accept = task(events, "staff-dc-dm", case, "社区受理")
    assert accept["org_unit"] == "dc-dm"
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    for round_ in (1, 2):
        handled = {"community_result": "resolved", "handling_note": f"第{round_}次处置"}
        do(events, "staff-dc-dm", case, "社区处置", handled)
        do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
        do(events, "staff-dc-dm", case, "回访", {"satisfaction": "不满意", "callback_note": "仍有异味"})
    supervise = task(events, "supervisor", case, "督办")
    assert supervise["org_unit"] == "qingxi"
    do(events, "supervisor", case, "督办", {"supervision_opinion": "责成社区每日巡查", "measures": "周报"})
    assert events.instance(case)["status"] == "running"  # an urging, not a close: the community puts it right
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "每日巡查"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    do(events, "staff-dc-dm", case, "回访", {"satisfaction": "不满意", "callback_note": "仍有异味"})
    assert events.instance(case)["status"] == "completed"  # still unsatisfied after supervision: 督办结案
    assert kinds(events, case).count("reopened") == 1 and "supervised" in kinds(events, case)


def test_satisfied_resident_closes_and_rejected_reports_end(events):
    case = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm")
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已处理"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    do(events, "staff-dc-dm", case, "回访", {"satisfaction": "基本满意"})
    assert events.instance(case)["status"] == "completed"
    other = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm")
    accept = task(events, "staff-dc-dm", other, "社区受理")
    refused = events.complete(accept["id"], "staff-dc-dm", {"accepted": False})
    assert refused.status_code == 422 and "reject_reason" in refused.get_json()["errors"]
    do(events, "staff-dc-dm", other, "社区受理", {"accepted": False, "reject_reason": "重复件，已在处置"})
    assert events.instance(other)["status"] == "completed" and "not_accepted" in kinds(events, other)


def test_duplicates_are_hinted(events):
    first = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm", address="东门路12号")
    second = report(events, "dc-dm-02", BIN_FULL, user="resident-dc-dm", address="东门路12号")
    do(events, "staff-dc-dm", first, "社区受理", {"accepted": True})
    accept = task(events, "staff-dc-dm", second, "社区受理")
    values = events.get(f"/tasks/{accept['id']}", "staff-dc-dm").get_json()["form"]["values"]
    assert values["possible_duplicates"] == [first]


def test_an_emergency_bypasses_the_community(events, clock):
    case = report(events, "dc-dm-01", COLLAPSE)
    dispatch = task(events, "dispatcher-dc", case, "应急调度")
    assert dispatch["due_at"] == "2026-03-02T01:15:00+00:00"  # a quarter emergency hour
    do(events, "dispatcher-dc", case, "应急调度",
       {"departments": ["dept-zj", "dept-yj"], "lead_department": "dept-yj"})
    for dept in ("dept-zj", "dept-yj"):
        do(events, f"{dept}-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
    handle = task(events, "dept-zj-staff", case, "部门处置")
    assert handle["due_at"] == "2026-03-02T02:00:00+00:00"  # 1 emergency hour, continuous
    for dept in ("dept-zj", "dept-yj"):
        do(events, f"{dept}-staff", case, "部门处置", {"handling_note": "已处置"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    history = [e["task_name"] for e in events.instance(case)["history"] if e["kind"] == "task_created"]
    assert not any(n in ("社区处置", "社区受理", "镇街研判") for n in history)


def test_a_town_variant_with_shorter_community_limits(events):
    variant = bundle(ROOT / "processes" / "localities" / "dc" / "event_handling")
    assert events.deploy(variant, locality="dc").status_code == 201
    in_dc = report(events, "dc-dm-01", LAMP)
    in_xs = report(events, "xs-sq-01", LAMP)
    assert task(events, "staff-dc-dm", in_dc, "社区处置")["due_at"] == "2026-03-02T03:00:00+00:00"  # 2 working hours
    assert task(events, "staff-xs-sq", in_xs, "社区处置")["due_at"] == "2026-03-05T01:00:00+00:00"  # 3 working days


def test_a_report_filed_at_a_community_goes_to_its_staff_never_to_a_task_nobody_may_do(events):
    """A resident keeps the community their report form offers: a grid-level matter is handled and
    verified by the community's staff (the model routes by the case's unit, ``case_unit()``), not
    parked on a grid worker's task at a unit where no grid worker works."""
    case = report(events, "dc-dm", GARBAGE, user="resident-dc-dm")
    ok(events.complete(task(events, "staff-dc-dm", case, "社区受理")["id"], "staff-dc-dm", {"accepted": True}))
    assert names(events, case) == ["社区处置"]
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清扫"})
    verify = do(events, "staff-dc-dm", case, "核查", {"verified": True})
    assert verify["org_unit"] == "dc-dm" and verify["role"] == "community_staff"
