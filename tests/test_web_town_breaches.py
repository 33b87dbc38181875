"""A town sees the breaches of the departments it summoned on its own cases (issue 15, defect 15):
those tasks sit under the county, yet count on the case's town and on the department."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tests.support import ok, only, with_event_handling
from tests.test_web_pages import login, text
from workflow_app.timers import scheduler

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
POTHOLE = {"condition_code": "B0201-01", "address": "北门路", "description": "路面坑槽"}


def test_a_town_sees_the_late_report_in_of_a_department_it_whistled(api):
    with time_machine.travel(MONDAY_9, tick=False) as clock:
        with_event_handling(api)
        case = ok(api.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
        decision = only(api.tasks("dispatcher-dc", instance_id=case), "镇街研判")
        ok(api.complete(decision["id"], "dispatcher-dc", {"decision": "whistle", "departments": ["dept-zj"],
                                                          "lead_department": "dept-zj"}), 200)
        clock.shift(timedelta(hours=1))  # the 30-minute report-in is long past
        scheduler.tick(api.app, plan=True)
        breaches = ok(api.get("/supervision/breaches", "leader-dc", query_string={"org_unit": "dc", "colour": "red"}),
                      200).get_json()
        items = breaches["items"] if isinstance(breaches, dict) else breaches
        assert [b["name"] for b in items] == ["部门报到"]
        other = ok(api.get("/supervision/breaches", "supervisor", query_string={"org_unit": "xs", "colour": "red"}),
                   200).get_json()
        assert (other["items"] if isinstance(other, dict) else other) == []  # another town's board is not affected
        board = text(login(api.app, "leader-dc").get("/supervision?org_unit=dc&colour=red"))
        assert "部门报到" in board and "路面坑槽" in board
        department = ok(api.get("/supervision/breaches", "supervisor",
                                query_string={"org_unit": "dept-zj", "colour": "red"}), 200).get_json()
        items = department["items"] if isinstance(department, dict) else department
        assert [b["name"] for b in items] == ["部门报到"]
