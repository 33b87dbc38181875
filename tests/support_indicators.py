"""Driving event cases for the indicator tests: over HTTP as the real roles, with time travel."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ROOT, bundle
from tests.test_event_handling import do, report, task
from workflow_app import demo
from workflow_app.extensions import db
from workflow_app.timers import scheduler

BEIJING = ZoneInfo("Asia/Shanghai")
GARBAGE = "E0101-01"      # 暴露垃圾: minor, 2 working hours, the grid handles it
BIN_FULL = "B0301-01"     # 垃圾桶满溢: general, 4 working hours, the community
POTHOLE = "B0201-01"      # 路面坑槽: serious, 2 working days, the town
LAMP = "B0102-03"         # 单盏路灯不亮: general, 3 working days, the community
DEFAULTS = ROOT / "processes" / "indicators" / "indicators.json"
PHOTOS = {"before_photos": ["uploads/a.jpg"], "after_photos": ["uploads/b.jpg"]}


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def shipped() -> dict:
    return json.loads(DEFAULTS.read_text())


@pytest.fixture(name="clock")
def clock_fixture():
    with time_machine.travel(at(2, 8, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture(name="events")
def events_fixture(api, clock):
    """The demo county with the catalogue, the event process, the extension process and the
    shipped indicator definitions (deployed by the designer)."""
    with api.app.app_context():
        demo.seed_catalogue()
        db.session.remove()
    assert api.deploy(bundle(ROOT / "processes" / "event_handling")).status_code == 201
    assert api.deploy(bundle(ROOT / "processes" / "sla_extension")).status_code == 201
    deployed = api.post("/indicators/definitions", "designer", json={"document": shipped(), "comment": "defaults"})
    assert deployed.status_code == 201, deployed.get_json()
    return api


def tick(api) -> dict:
    return scheduler.tick(api.app, plan=True)


def self_handled(api, grid: str) -> int:
    case = report(api, grid, GARBAGE)
    do(api, f"worker-{grid}", case, "网格自行处置", {"handling_note": "已清扫", **PHOTOS})
    return case


def community(api, case: int, community_code: str, note: str = "已处理") -> None:
    do(api, f"staff-{community_code}", case, "社区处置", {"community_result": "resolved", "handling_note": note})


def verify(api, case: int, grid: str, ok: bool = True) -> None:
    do(api, f"worker-{grid}", case, "核查", {"verified": ok, **({} if ok else {"verify_note": "仍未处理干净"})})


def callback(api, case: int, community_code: str, verdict: str) -> None:
    do(api, f"staff-{community_code}", case, "回访", {"satisfaction": verdict, "callback_note": "已回访"})


def two_towns(api, clock, month: int) -> dict:
    """In each of 东门社区 (dc) and 山泉村 (xs): one case closed on time, one a day late."""
    cases = {}
    clock.move_to(at(2, 9, month=month))
    for grid, staff in (("dc-dm-01", "dc-dm"), ("xs-sq-01", "xs-sq")):
        cases[f"{grid}:on_time"] = self_handled(api, grid)
        late = cases[f"{grid}:late"] = report(api, grid, BIN_FULL)
        clock.move_to(at(3, 16, month=month))
        community(api, late, staff)
        verify(api, late, grid)
        clock.move_to(at(2, 9, month=month))
    return cases


def table(api, user: str = "supervisor", **query) -> dict:
    response = api.get("/indicators", user, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def row(found: dict, subject: str) -> dict:
    rows = [r for r in found["rows"] if r["subject"] == subject]
    assert len(rows) == 1, [r["subject"] for r in found["rows"]]
    return rows[0]


__all__ = ["BIN_FULL", "GARBAGE", "LAMP", "POTHOLE", "at", "callback", "clock_fixture", "community", "do",
           "events_fixture", "report", "row", "self_handled", "shipped", "table", "task", "tick", "two_towns", "verify"]
