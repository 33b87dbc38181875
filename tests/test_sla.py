"""SLA clocks on business calendars: escalation by timer, yellow/red with notifications, pause and
resume, extension after approval, urge, and the supervisors' view. Time moves with time-machine."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.support import ok, only, sample_bundle
from workflow_app.extensions import db
from workflow_app.models import CaseFact
from workflow_app.timers import scheduler

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)  # an ordinary Monday
GENERAL = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}


def at(day_offset: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return (MONDAY_9 + timedelta(days=day_offset)).replace(hour=hour, minute=minute, second=second)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(api, clock):
    ok(api.deploy(sample_bundle()), 201)
    started = ok(api.start("minor_event", "dc-dm-01", GENERAL, "worker-dc-dm-01"), 201).get_json()
    return started["id"], only(api.tasks("staff-dc-dm"), "社区处置")


def tick(api):
    return scheduler.tick(api.app, plan=True)


def iso(value: datetime) -> str:
    return value.astimezone(ZoneInfo("UTC")).isoformat()


def test_limit_comes_from_the_dmn_in_working_hours(api, case):
    _, task = case
    # 4 working hours from Monday 09:00: 09-12 and 14-15 (the midday break does not count).
    assert task["due_at"] == iso(at(0, 15))
    detail = api.get(f"/tasks/{task['id']}", "staff-dc-dm").get_json()
    assert detail["sla_state"] == "green"


def test_interrupting_timer_escalates_to_the_town_after_the_limit(api, case, clock):
    instance_id, task = case
    clock.move_to(at(0, 14, 59))
    assert tick(api)["fired"] == 0
    assert api.tasks("dispatcher-dc") == []
    clock.move_to(at(0, 15, 0, 1))
    assert tick(api)["fired"] == 1
    town = only(api.tasks("dispatcher-dc"), "镇街处置")
    assert town["org_unit"] == "dc" and api.tasks("staff-dc-dm") == []
    detail = api.instance(instance_id)
    assert "timer_fired" in [e["kind"] for e in detail["history"]]
    assert api.complete(task["id"], "staff-dc-dm", {"handling_note": "迟了"}).status_code == 409
    assert tick(api)["fired"] == 0  # idempotent: nothing fires twice
    # 镇街处置 has its own limit: 1 working day, from 15:00:01 Monday to 15:00:01 Tuesday.
    assert town["due_at"] == iso(at(1, 15, 0, 1))
    facts = api.get("/supervision/history?org_unit=dc", "supervisor").get_json()
    assert [f["kind"] for f in facts] == ["sla_yellow"]  # 80 % of the limit was used at 14:12


def test_yellow_then_red_with_leaders_notified(api, clock):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", {**GENERAL, "severity": "minor"}, "worker-dc-dm-01"), 201)
    task = only(api.tasks("worker-dc-dm-01"), "网格自行处置")
    assert task["due_at"] == iso(at(0, 11))  # 2 working hours
    clock.move_to(at(0, 10, 30))
    assert tick(api)["yellow"] == 0
    clock.move_to(at(0, 10, 37))  # 80 % of 2 working hours: 09:00 + 96 minutes
    assert tick(api)["yellow"] == 1
    assert tick(api)["yellow"] == 0
    notes = api.get("/notifications", "gridlead-dc-dm-01").get_json()
    assert [n["kind"] for n in notes] == ["sla_yellow"] and notes[0]["task_id"] == task["id"]
    assert api.get("/notifications", "gridlead-dc-dm-02").get_json() == []
    clock.move_to(at(0, 11, 0, 1))
    assert tick(api)["red"] == 1
    assert api.get(f"/tasks/{task['id']}", "worker-dc-dm-01").get_json()["sla_state"] == "red"
    kinds = [n["kind"] for n in api.get("/notifications", "gridlead-dc-dm-01").get_json()]
    assert kinds == ["sla_red", "sla_yellow"]
    history = api.get("/supervision/history?org_unit=dc-dm", "head-dc-dm").get_json()
    assert [h["kind"] for h in history] == ["sla_red", "sla_yellow"]
    note_id = api.get("/notifications", "gridlead-dc-dm-01").get_json()[0]["id"]
    assert api.post(f"/notifications/{note_id}/read", "gridlead-dc-dm-01").status_code == 200
    assert api.post(f"/notifications/{note_id}/read", "worker-dc-dm-01").status_code == 404


def test_pause_stops_the_clock_and_resume_restores_the_rest(api, case, clock):
    instance_id, task = case
    clock.move_to(at(0, 10))  # 1 of 4 working hours used
    assert api.post(f"/tasks/{task['id']}/pause", "staff-dc-dm", json={"reason": "等待材料"}).status_code == 403
    paused = api.post(f"/tasks/{task['id']}/pause", "head-dc-dm", json={"reason": "等待供电部门停电检修"})
    assert paused.status_code == 200, paused.get_json()
    body = paused.get_json()
    assert body["sla_state"] == "paused" and body["due_at"] is None and body["remaining"] == pytest.approx(3.0)
    assert api.instance(instance_id)["timers"][0]["due_at"] > "2030"  # the engine's timer is out of reach

    clock.move_to(at(1, 10))  # a day later, past the original due time
    assert tick(api)["fired"] == 0
    resumed = ok(api.post(f"/tasks/{task['id']}/resume", "head-dc-dm"), 200).get_json()
    # 3 working hours from Tuesday 10:00: 10-12 and 14-15.
    assert resumed["due_at"] == iso(at(1, 15)) and resumed["sla_state"] == "green"
    assert api.instance(instance_id)["timers"][0]["due_at"] == iso(at(1, 15))
    clock.move_to(at(1, 15, 0, 1))
    assert tick(api)["fired"] == 1
    assert only(api.tasks("dispatcher-dc"), "镇街处置")


def test_extension_is_approved_by_the_leader_and_moves_the_timer(api, case, clock):
    instance_id, task = case
    ok(api.deploy({"sla_extension.bpmn": (api_root() / "processes/sla_extension/sla_extension.bpmn").read_bytes()}),
       201)
    asked = api.post(f"/tasks/{task['id']}/extension", "staff-dc-dm",
                     json={"amount": 1, "unit": "work_days", "reason": "需协调物业"})
    assert asked.status_code == 201, asked.get_json()
    assert api.post(f"/tasks/{task['id']}/extension", "staff-dc-bg",
                    json={"amount": 1, "unit": "work_days", "reason": "x"}).status_code == 403
    approval = only(api.tasks("head-dc-dm"), "延期审批")
    assert approval["org_unit"] == "dc-dm" and api.tasks("head-dc-bg") == []
    form = api.get(f"/tasks/{approval['id']}", "head-dc-dm").get_json()["form"]
    assert form["values"]["reason"] == "需协调物业" and form["values"]["asked"] == "1 个工作日"
    assert form["values"]["requester"].endswith(" · 东门社区") and "staff-dc-dm" not in form["values"]["requester"]
    assert approval["title"].endswith(f"（#{instance_id}）") and len(approval["title"]) > 10  # names the case
    done = api.complete(approval["id"], "head-dc-dm", {"approved": True, "approval_note": "同意"})
    assert done.status_code == 200, done.get_json()
    [told] = [n for n in api.get("/notifications", "staff-dc-dm").get_json() if n["kind"] == "case_extension_approved"]
    assert "您的延期申请已批准" in told["title"] and "1 个工作日" in told["body"] and "审批意见：同意" in told["body"]
    moved = api.get(f"/tasks/{task['id']}", "staff-dc-dm").get_json()
    assert moved["due_at"] == iso(at(1, 15))  # one working day later
    assert api.instance(instance_id)["timers"][0]["due_at"] == iso(at(1, 15))
    clock.move_to(at(0, 15, 0, 1))
    assert tick(api)["fired"] == 0  # the old limit no longer escalates


def test_refused_extension_changes_nothing(api, case):
    instance_id, task = case
    ok(api.deploy({"sla_extension.bpmn": (api_root() / "processes/sla_extension/sla_extension.bpmn").read_bytes()}),
       201)
    timers = api.instance(instance_id)["timers"]
    assert [t["due_at"] for t in timers] == [task["due_at"]]  # the escalation timer, at the task's due time
    asked = ok(api.post(f"/tasks/{task['id']}/extension", "staff-dc-dm",
                        json={"amount": 2, "unit": "work_hours", "reason": "再等等"}), 201).get_json()
    approval = only(api.tasks("head-dc-dm"), "延期审批")
    assert approval["instance_id"] == asked["approval_instance_id"]
    ok(api.complete(approval["id"], "head-dc-dm", {"approved": False, "approval_note": "不同意"}), 200)
    [told] = [n for n in api.get("/notifications", "staff-dc-dm").get_json() if n["kind"] == "case_extension_refused"]
    assert "2 个工作时" in told["body"] and "不同意" in told["body"]
    assert api.instance(asked["approval_instance_id"])["status"] == "completed"
    assert task_fact_kinds(api, task["id"]) == ["extension_requested"]  # requested, never "extended"
    assert "extension_refused" in case_fact_kinds(api, asked["approval_instance_id"])
    assert ok(api.get(f"/tasks/{task['id']}", "staff-dc-dm"), 200).get_json()["due_at"] == task["due_at"]
    assert api.instance(instance_id)["timers"] == timers  # the engine's timer did not move
    assert "sla_extended" not in [e["kind"] for e in api.instance(instance_id)["history"]]


def test_urge_reminds_whoever_is_doing_the_task(api, case):
    _, task = case
    assert api.post(f"/tasks/{task['id']}/urge", "worker-dc-dm-01", json={}).status_code == 403
    assert api.post(f"/tasks/{task['id']}/urge", "dispatcher-dc", json={"message": "请今日办结"}).status_code == 200
    [note] = api.get("/notifications", "staff-dc-dm").get_json()
    assert note["kind"] == "urge" and note["body"].startswith("请今日办结\n催办人：") and "派遣员" in note["body"]


def test_supervision_summary_and_breaches(api, clock):
    ok(api.deploy(sample_bundle()), 201)
    for grid in ("dc-dm-01", "dc-bg-01", "xs-sq-01"):
        ok(api.start("minor_event", grid, {**GENERAL, "severity": "minor"}, f"worker-{grid}"), 201)
    clock.move_to(at(0, 12, 0, 1))  # past the 2 working hours of grid self-handling
    assert tick(api)["red"] == 3
    summary = api.get("/supervision/summary?org_unit=qingxi", "supervisor").get_json()
    towns = {c["code"]: c for c in summary["children"]}
    assert towns["dc"]["red"] == 2 and towns["xs"]["red"] == 1 and towns["nh"]["open"] == 0
    assert summary["totals"]["red"] == 3
    assert [s["stage"] for s in summary["stages"]] == ["网格处置"]
    drill = api.get("/supervision/summary?org_unit=dc", "supervisor").get_json()
    assert {c["code"]: c["red"] for c in drill["children"]} == {"dc-dm": 1, "dc-bg": 1}
    breaches = api.get("/supervision/breaches?org_unit=dc&colour=red", "leader-dc").get_json()
    assert breaches["total"] == 2
    # 超时倍数: 09:00–12:00 is 3 working hours against a 2-hour limit.
    assert all(b["over_limit"] == pytest.approx(1.5, abs=0.01) for b in breaches["items"])
    assert api.get("/supervision/summary?org_unit=xs", "leader-dc").status_code == 403
    assert api.get("/supervision/summary?org_unit=dc", "worker-dc-dm-01").status_code == 403
    cases = api.get("/supervision/cases?org_unit=dc", "leader-dc").get_json()
    assert len(cases) == 2 and all(c["worst"] == "red" for c in cases)


def test_calendar_api_and_locality_days_off(api):
    query = {"start": "2026-03-06T17:00:00+08:00", "amount": 4, "unit": "work_hours"}
    due = api.get("/calendar/add", "worker-dc-dm-01", query_string=query).get_json()["due"]
    assert due == "2026-03-09T11:00:00+08:00"  # four working hours from Friday 17:00
    two_days = {"start": "2026-03-06T10:00:00+08:00", "amount": 2, "unit": "work_days"}
    assert api.get("/calendar/add", "admin", query_string=two_days).get_json()["due"] == "2026-03-10T10:00:00+08:00"
    put = api.client.put("/api/v1/calendar/days?locality=dc", headers=api.headers("admin"),
                         json={"days": [{"day": "2026-03-09", "workday": False, "name": "东城街道停工日"}]})
    assert put.status_code == 200, put.get_json()
    in_dc = api.get("/calendar/add", "admin", query_string={**two_days, "org_unit": "dc-dm-01"}).get_json()
    in_xs = api.get("/calendar/add", "admin", query_string={**two_days, "org_unit": "xs-sq-01"}).get_json()
    assert (in_dc["due"], in_xs["due"]) == ("2026-03-11T10:00:00+08:00", "2026-03-10T10:00:00+08:00")
    elapsed = api.get("/calendar/elapsed", "admin", query_string={
        "start": "2026-03-06T10:00:00+08:00", "end": "2026-03-09T10:00:00+08:00", "unit": "work_hours"})
    assert elapsed.get_json()["elapsed"] == 8.0
    assert api.get("/calendar/add", "admin", query_string={**query, "unit": "fortnights"}).status_code == 422
    assert api.client.put("/api/v1/calendar/days", headers=api.headers("worker-dc-dm-01"),
                          json={"days": [{"day": "2026-03-09", "workday": False}]}).status_code == 403


def _fact_kinds(api, where) -> list[str]:
    with api.app.app_context():
        kinds = list(db.session.execute(select(CaseFact.kind).where(where).order_by(CaseFact.id)).scalars())
        db.session.remove()
    return kinds


def task_fact_kinds(api, task_id: int) -> list[str]:
    return _fact_kinds(api, CaseFact.human_task_id == task_id)


def case_fact_kinds(api, instance_id: int) -> list[str]:
    return _fact_kinds(api, CaseFact.instance_id == instance_id)


def api_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
