"""Timer start events per locality, sweep resilience, and the scheduler's start-up guards."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import models
from tests.support import ok
from workflow_app.extensions import db
from workflow_app.models import ProcessInstance
from workflow_app.repository import instances as store
from workflow_app.timers import scheduler, sweeper

BEIJING = ZoneInfo("Asia/Shanghai")
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def monthly_model(cycle: str, start_in: str = "level:community") -> bytes:
    start = (
        '<bpmn:startEvent id="monthly" name="每月网格服务日"><bpmn:extensionElements><spiffworkflow:properties>'
        f'<spiffworkflow:property name="start_in" value="{start_in}"/></spiffworkflow:properties>'
        f'</bpmn:extensionElements><bpmn:timerEventDefinition><bpmn:timeCycle>"{cycle}"</bpmn:timeCycle>'
        "</bpmn:timerEventDefinition></bpmn:startEvent>"
    )
    body = start + models.user_task("plan", "制定服务日计划") + '<bpmn:endEvent id="end"/>' + \
        models.chain("monthly", "plan", "end")
    return models.process("service_day", body, {"community_staff": ["monthly", "plan", "end"]})


def _started(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.query(ProcessInstance).filter_by(process_key="service_day").order_by(ProcessInstance.id)
        return [(i.org_unit.code, i.version.locality) for i in rows]


def test_monthly_timer_start_creates_one_case_per_locality_per_month(api):
    app = api.app
    with time_machine.travel(datetime(2026, 1, 10, 12, tzinfo=BEIJING), tick=False) as clock:
        assert api.deploy({"service_day.bpmn": monthly_model("R/2026-01-15T09:00:00+08:00/P1M")}).status_code == 201
        variant = monthly_model("R/2026-01-20T09:00:00+08:00/P1M")
        assert api.deploy({"service_day.bpmn": variant}, locality="dc").status_code == 201
        assert scheduler.tick(app, plan=True)["started"] == 0

        clock.move_to(datetime(2026, 1, 15, 9, 0, 1, tzinfo=BEIJING))
        assert scheduler.tick(app, plan=True)["started"] == 4  # xs and nh communities (dc follows its variant)
        assert scheduler.tick(app, plan=True)["started"] == 0
        assert sorted(u for u, _ in _started(app)) == ["nh-hb", "nh-yz", "xs-ly", "xs-sq"]

        clock.move_to(datetime(2026, 1, 20, 9, 0, 1, tzinfo=BEIJING))
        assert scheduler.tick(app, plan=True)["started"] == 2
        assert sorted((u, loc) for u, loc in _started(app)[4:]) == [("dc-bg", "dc"), ("dc-dm", "dc")]

        clock.move_to(datetime(2026, 2, 15, 9, 0, 1, tzinfo=BEIJING))
        assert scheduler.tick(app, plan=True)["started"] == 4
        clock.move_to(datetime(2026, 4, 21, 9, 0, 1, tzinfo=BEIJING))  # missed months are not replayed
        assert scheduler.tick(app, plan=True)["started"] == 6
    task = next(t for t in api.tasks("staff-xs-sq") if t["name"] == "制定服务日计划")
    detail = api.instance(task["instance_id"])
    assert detail["data"]["scheduled_for"].startswith("2026-0") and detail["data"]["org_unit"] == "xs-sq"
    assert len(api.tasks("staff-xs-sq")) == 3  # January, February, April


def test_limited_cycles_stop(api):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=BEIJING), tick=False) as clock:
        ok(api.deploy({"service_day.bpmn": monthly_model("R2/2026-01-05T09:00:00+08:00/P1M", "units:dc-dm")}), 201)
        total = 0
        for month in (1, 2, 3, 4):
            clock.move_to(datetime(2026, month, 6, tzinfo=BEIJING))
            total += scheduler.tick(api.app, plan=True)["started"]
    assert total == 2


def _timer_model() -> bytes:
    wait = ('<bpmn:intermediateCatchEvent id="wait" name="等待一小时"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    body = '<bpmn:startEvent id="start"/>' + wait + models.user_task("after", "后续") + '<bpmn:endEvent id="end"/>'
    return models.process("waiter", body + models.chain("start", "wait", "after", "end"),
                          {"grid_worker": ["start", "wait", "after", "end"]})


def test_a_failing_case_is_skipped_and_the_sweep_goes_on(api, monkeypatch):
    ok(api.deploy({"waiter.bpmn": _timer_model()}), 201)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=BEIJING), tick=False) as clock:
        ids = [ok(api.start("waiter", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()["id"] for _ in range(3)]
        original = store.perform

        def broken(instance, *args, **kwargs):
            if instance.id == ids[1]:
                raise RuntimeError("disk on fire")
            return original(instance, *args, **kwargs)

        monkeypatch.setattr(store, "perform", broken)
        clock.move_to(datetime(2026, 3, 2, 10, 0, 1, tzinfo=BEIJING))
        with api.app.app_context():
            report = sweeper.sweep()
            assert (report.fired, report.failed) == (2, 1)
            stuck = db.session.get(ProcessInstance, ids[1])
            assert stuck.next_timer_due.astimezone(BEIJING) == datetime(2026, 3, 2, 10, 5, 1, tzinfo=BEIJING)
        assert "timer_failed" in [e["kind"] for e in api.instance(ids[1])["history"]]
        monkeypatch.setattr(store, "perform", original)
        clock.move_to(datetime(2026, 3, 2, 10, 6, tzinfo=BEIJING))
        assert scheduler.tick(api.app)["fired"] == 1
        assert all(len(api.tasks("worker-dc-dm-01", instance_id=i)) == 1 for i in ids)


def test_engine_error_in_a_timer_path_is_recorded_not_retried(api):
    script = models.script_task("boom", "x = 1 / 0")
    wait = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"'
            '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    body = '<bpmn:startEvent id="start"/>' + wait + script + '<bpmn:endEvent id="end"/>'
    ok(api.deploy({"fragile.bpmn": models.process("fragile", body + models.chain("start", "wait", "boom", "end"),
                                                  {"grid_worker": ["start", "wait", "boom", "end"]})}), 201)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=BEIJING), tick=False) as clock:
        case = ok(api.start("fragile", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()
        clock.move_to(datetime(2026, 3, 2, 10, 0, 1, tzinfo=BEIJING))
        assert scheduler.tick(api.app)["fired"] == 1
        assert scheduler.tick(api.app)["fired"] == 0
    detail = api.instance(case["id"])
    assert detail["status"] == "error" and detail["error"]["bpmn_id"] == "boom"


@pytest.mark.parametrize("config, env, started", [
    ({"SCHEDULER_IN_APP": False}, {}, False),
    ({"SCHEDULER_IN_APP": True, "TESTING": True}, {}, False),
    ({"SCHEDULER_IN_APP": True, "TESTING": False, "DEBUG": True}, {}, False),  # the reloader's parent
])
def test_in_app_scheduler_is_guarded(make_app, monkeypatch, config, env, started):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    app = make_app(**config)
    assert (scheduler.start_in_app(app) is not None) is started


def test_in_app_scheduler_starts_once(make_app, monkeypatch):
    monkeypatch.setattr(scheduler, "_started_in_process", type(scheduler._started_in_process)())
    app = make_app(SCHEDULER_IN_APP=True, TESTING=False, SCHEDULER_INTERVAL=3600)
    running = app.extensions.get("workflow_app.scheduler")
    try:
        assert running is not None and running.running
        assert scheduler.start_in_app(app) is None  # never a second one in this process
    finally:
        running.shutdown(wait=False)


def test_a_date_timer_start_runs_once(api):
    start = ('<bpmn:startEvent id="once" name="专项行动启动"><bpmn:extensionElements><spiffworkflow:properties>'
             '<spiffworkflow:property name="start_in" value="units:dc-dm,xs-sq"/></spiffworkflow:properties>'
             '</bpmn:extensionElements><bpmn:timerEventDefinition><bpmn:timeDate>"2026-02-01T09:00:00+08:00"'
             "</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:startEvent>")
    body = (start + models.user_task("plan", "制定方案") + '<bpmn:endEvent id="end"/>'
            + models.chain("once", "plan", "end"))
    model = models.process("campaign", body, {"community_staff": ["once", "plan", "end"]})
    with time_machine.travel(datetime(2026, 1, 20, tzinfo=BEIJING), tick=False) as clock:
        assert api.deploy({"campaign.bpmn": model}).status_code == 201
        assert scheduler.tick(api.app, plan=True)["started"] == 0
        clock.move_to(datetime(2026, 2, 1, 9, 0, 1, tzinfo=BEIJING))
        assert scheduler.tick(api.app, plan=True)["started"] == 2
        clock.move_to(datetime(2026, 3, 1, 9, 0, 1, tzinfo=BEIJING))
        assert scheduler.tick(api.app, plan=True)["started"] == 0
    assert [t["name"] for t in api.tasks("staff-xs-sq")] == ["制定方案"]
