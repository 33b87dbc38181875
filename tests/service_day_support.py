"""Helpers for the service-day tests: the models deployed, households imported, rules set, and the
scheduler run at a moment, all over the HTTP API as the real roles."""

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tests.support import ROOT, bundle, ok
from workflow_app import demo
from workflow_app.extensions import db
from workflow_app.timers import scheduler

BEIJING = ZoneInfo("Asia/Shanghai")
PROCESSES = ("event_handling", "grid_service_day", "household_visit", "service_day_planning")
GARBAGE = "E0101-01"  # 暴露垃圾: a minor event the grid handles itself


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def deploy_all(api) -> None:
    with api.app.app_context():
        demo.seed_catalogue()
        db.session.remove()
    for key in PROCESSES:
        ok(api.deploy(bundle(ROOT / "processes" / key)), 201)


def put(api, path: str, user: str, body):
    return api.client.put(f"/api/v1{path}", headers=api.headers(user), json=body)


def delete(api, path: str, user: str):
    return api.client.delete(f"/api/v1{path}", headers=api.headers(user))


def household(code: str, unit: str, **flags) -> dict:
    return {"code": code, "org_unit": unit, "address": f"{unit}小区{code[-2:]}号", "head_name": f"户主{code}",
            "phone": "13800000000", "members": 1, **{k: "true" if v else "false" for k, v in flags.items()}}


def import_households(api, rows: list[dict]) -> dict[str, int]:
    """Import households as the administrator; their ids by code."""
    response = api.post("/org/import/households", "admin", data=json.dumps(rows), content_type="application/json")
    ok(response)
    listed = ok(api.get("/households", "admin")).get_json()
    return {h["code"]: h["id"] for h in listed}


def set_rule(api, locality: str, rule: dict, user: str = "admin", **extra):
    return ok(put(api, f"/service-day/settings?locality={locality}", user, {"rule": rule, **extra}))


def pair(api, household_id, username: str, user: str = "admin"):
    return ok(put(api, f"/households/{household_id}/pairing", user, {"username": username}))


def tick(api) -> dict:
    return scheduler.tick(api.app, plan=True)


def tick_at(api, moment: datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return tick(api)


def cases(api, key: str = "grid_service_day") -> list[dict]:
    from workflow_app.models import ProcessInstance

    with api.app.app_context():
        rows = db.session.query(ProcessInstance).filter_by(process_key=key).order_by(ProcessInstance.id).all()
        found = [{"id": i.id, "unit": i.org_unit.code, "status": i.status, "data": i.data} for i in rows]
        db.session.remove()
    return found


def task_named(api, user: str, bpmn_id: str, **query) -> list[dict]:
    return [t for t in api.tasks(user, **query) if t["bpmn_id"] == bpmn_id]


def import_pairings(api, csv_text: str, user: str = "admin"):
    data = {"file": (io.BytesIO(csv_text.encode()), "pairings.csv")}
    return api.client.post("/api/v1/org/import/pairings", headers=api.headers(user), data=data,
                           content_type="multipart/form-data")


def october_day(api, projects: list[str]):
    """October's service day (8 October 2026, the 1st moved past 国庆) in 东门社区第1网格, its plan
    confirmed with ``projects``: W-1 (elderly, paired with the grid leader) and W-2 (hardship,
    unpaired: the grid worker's). ``api.ids`` holds the households' ids."""
    with time_machine.travel(at(2026, 9, 20), tick=False):
        deploy_all(api)
        ids = import_households(api, [household("W-1", "dc-dm-01", elderly_alone=True),
                                      household("W-2", "dc-dm-01", hardship=True)])
        pair(api, ids["W-1"], "gridlead-dc-dm-01")
        set_rule(api, "qingxi", {"day": 1})
    with time_machine.travel(at(2026, 10, 8), tick=False):
        tick(api)
        [plan] = task_named(api, "gridlead-dc-dm-01", "confirm_plan")
        ok(api.complete(plan["id"], "gridlead-dc-dm-01", {"theme": "敬老助老", "projects": projects}))
    api.ids = ids
    return api
