"""Visits on the service day and between them, over the API as the real roles with time travel:
one visit task per household due, in its paired person's inbox (else the grid worker's); a problem
found starts a linked event case whose closing shows on the visit; the cadence DMN moves the next
due date (a locality's variant in that locality only); visits open past their time are breaches."""

import pytest
import time_machine

from tests import models
from tests.service_day_support import (
    GARBAGE,
    at,
    cases,
    delete,
    deploy_all,
    household,
    import_households,
    import_pairings,
    pair,
    put,
    set_rule,
    task_named,
    tick,
    tick_at,
)
from tests.support import ROOT, ok
from workflow_app.cases import sync
from workflow_app.extensions import db
from workflow_app.org import people


@pytest.fixture
def county(api):
    """Households in 东门社区第1网格 (and one elsewhere), paired or not; the county's rule: the 1st."""
    with time_machine.travel(at(2026, 9, 20), tick=False):
        deploy_all(api)
        ids = import_households(api, [
            household("DM1-A", "dc-dm-01", elderly_alone=True), household("DM1-B", "dc-dm-01", hardship=True),
            household("DM1-C", "dc-dm-01", disability=True), household("DM1-D", "dc-dm-01"),
            household("DM1-E", "dc-dm-01-1", elderly_alone=True, hardship=True),
            household("SQ1-A", "xs-sq-01", elderly_alone=True)])
        pair(api, ids["DM1-A"], "gridlead-dc-dm-01")
        pair(api, ids["DM1-B"], "staff-dc-dm")
        pair(api, ids["DM1-E"], "dispatcher-dc")  # a town cadre
        pair(api, ids["SQ1-A"], "worker-xs-sq-01")
        set_rule(api, "qingxi", {"day": 1})
    api.ids = ids
    return api


def household_of(api, task: dict, user: str) -> str:
    detail = ok(api.get(f"/tasks/{task['id']}", user)).get_json()
    return detail["form"]["values"]["household_label"].split("（")[0]


def service_day(api, grid: str = "dc-dm-01", when=None):
    """Start the October service day (8 October) and confirm the grid's plan."""
    with time_machine.travel(when or at(2026, 10, 8), tick=False):
        tick(api)
        [plan] = task_named(api, f"gridlead-{grid}", "confirm_plan")
        ok(api.complete(plan["id"], f"gridlead-{grid}", {"theme": "敬老助老"}))


def visit(api, user: str, code: str, data: dict, bpmn_id: str = "visit") -> dict:
    found = [t for t in task_named(api, user, bpmn_id) if household_of(api, t, user) == code]
    assert len(found) == 1, (user, code, found)
    ok(api.complete(found[0]["id"], user, data))
    return found[0]


def history(api, code: str, user: str = "worker-dc-dm-01") -> dict:
    return ok(api.get(f"/households/{api.ids[code]}/visits", user)).get_json()


def test_visit_tasks_go_to_the_paired_persons_and_the_unpaired_to_the_grid_worker(county):
    api = county
    service_day(api)
    mine = {user: [household_of(api, t, user) for t in task_named(api, user, "visit")]
            for user in ("gridlead-dc-dm-01", "staff-dc-dm", "dispatcher-dc", "worker-dc-dm-01")}
    assert mine == {"gridlead-dc-dm-01": ["DM1-A"], "staff-dc-dm": ["DM1-B"], "dispatcher-dc": ["DM1-E"],
                    "worker-dc-dm-01": ["DM1-C"]}
    [unpaired] = task_named(api, "worker-dc-dm-01", "visit")
    assert unpaired["assignee"] is None and unpaired["role"] == "grid_worker" and unpaired["org_unit"] == "dc-dm-01"
    [paired] = task_named(api, "staff-dc-dm", "visit")
    assert paired["assignee"] == "staff-dc-dm" and paired["org_unit"] == "dc-dm-01"
    assert paired["due_at"] == "2026-10-12T16:00:00+00:00"  # 3 working days after the service day
    assert task_named(api, "worker-dc-dm-02", "visit") == []  # no special group there
    day = ok(api.get(f"/service-day/days/{paired['instance_id']}", "gridlead-dc-dm-01")).get_json()
    assert sorted(line["household"]["code"] for line in day["visits"]) == ["DM1-A", "DM1-B", "DM1-C", "DM1-E"]
    assert day["counts"] == {"due": 4, "met": 0, "not_home": 0, "refused": 0, "open": 4}


def test_open_visits_follow_a_changed_pairing(county):
    api = county
    service_day(api)
    ok(put(api, f"/households/{api.ids['DM1-C']}/pairing", "gridlead-dc-dm-01", {"username": "staff-dc-dm"}))
    assert sorted(household_of(api, t, "staff-dc-dm") for t in task_named(api, "staff-dc-dm", "visit")) == \
        ["DM1-B", "DM1-C"]
    ok(delete(api, f"/households/{api.ids['DM1-B']}/pairing", "gridlead-dc-dm-01"))
    [back] = task_named(api, "worker-dc-dm-01", "visit")
    assert household_of(api, back, "worker-dc-dm-01") == "DM1-B" and back["assignee"] is None
    moved = ok(import_pairings(api, "household,username\nDM1-B,dispatcher-dc\nDM1-C,\nDM1-A,gridlead-dc-dm-01\n"))
    assert (moved.get_json()["paired"], moved.get_json()["unpaired"], moved.get_json()["unchanged"]) == (1, 1, 1)
    assert sorted(household_of(api, t, "dispatcher-dc") for t in task_named(api, "dispatcher-dc", "visit")) == \
        ["DM1-B", "DM1-E"]
    [unpaired] = task_named(api, "worker-dc-dm-01", "visit")
    assert household_of(api, unpaired, "worker-dc-dm-01") == "DM1-C" and unpaired["assignee"] is None


def test_a_visit_finding_a_problem_starts_a_linked_event_case_and_shows_it_closed(county):
    api = county
    service_day(api)
    with time_machine.travel(at(2026, 10, 8, 14), tick=False):
        [task] = task_named(api, "gridlead-dc-dm-01", "visit")
        refused = ok(api.complete(task["id"], "gridlead-dc-dm-01", {"outcome": "met", "problem_found": True}), 422)
        assert {"problem_code", "problem_description"} <= set(refused.get_json()["errors"])
        visit(api, "gridlead-dc-dm-01", "DM1-A", {"outcome": "met", "needs": "门口垃圾多", "problem_found": True,
                                                  "problem_code": GARBAGE, "problem_description": "楼道口堆放垃圾"})
        [event] = cases(api, "event_handling")
        assert event["unit"] == "dc-dm-01" and event["data"]["address"] == "dc-dm-01小区-A号"
        assert event["data"]["source_visit"] == {"household_code": "DM1-A", "case_id": task["instance_id"],
                                                 "process_key": "grid_service_day"}
        [visited] = history(api, "DM1-A")["visits"]
        assert visited["event"]["id"] == event["id"] and visited["event"]["closed"] is False
        [handle] = [t for t in api.tasks("worker-dc-dm-01", instance_id=event["id"]) if t["name"] == "网格自行处置"]
        ok(api.complete(handle["id"], "worker-dc-dm-01", {"handling_note": "已清理", "before_photos": ["uploads/a.jpg"],
                                                          "after_photos": ["uploads/b.jpg"]}))
    [visited] = history(api, "DM1-A")["visits"]
    assert visited["event"]["status"] == "completed" and visited["event"]["closed"] is True
    assert visited["problem_found"] is True and visited["outcome"] == "met"


def test_an_elderly_household_visited_on_day_0_is_due_on_day_7_and_its_visit_opens_then(county):
    api = county
    service_day(api)
    with time_machine.travel(at(2026, 10, 8, 15), tick=False):
        visit(api, "gridlead-dc-dm-01", "DM1-A", {"outcome": "met"})
        visit(api, "staff-dc-dm", "DM1-B", {"outcome": "met"})  # hardship: no cadence beyond service days
    assert history(api, "DM1-A")["next_due"] == "2026-10-15"
    assert history(api, "DM1-B")["next_due"] is None
    assert tick_at(api, at(2026, 10, 14, 23))["visits_due"] == 0
    with time_machine.travel(at(2026, 10, 15, 0, 10), tick=False):
        assert tick(api)["visits_due"] == 1
        assert tick(api)["visits_due"] == 0  # opened once
        [due] = task_named(api, "gridlead-dc-dm-01", "visit", process_key="household_visit")
        assert due["assignee"] == "gridlead-dc-dm-01" and due["due_at"] == "2026-10-15T16:00:00+00:00"
    with time_machine.travel(at(2026, 10, 16, 9), tick=False):
        assert tick(api)["red"] >= 1  # not made on its day: an SLA breach like any other
        breaches = ok(api.get("/supervision/breaches?org_unit=dc&colour=red", "leader-dc")).get_json()["items"]
        assert due["id"] in [b["id"] for b in breaches]
        ok(api.complete(due["id"], "gridlead-dc-dm-01", {"outcome": "not_home"}))
    assert history(api, "DM1-A")["next_due"] == "2026-10-17"  # not at home: the next day (日必问)
    with time_machine.travel(at(2026, 10, 17, 9), tick=False):
        tick(api)
        visit(api, "gridlead-dc-dm-01", "DM1-A", {"outcome": "met"})
    shown = history(api, "DM1-A")
    assert shown["next_due"] == "2026-10-24"
    assert [v["kind"] for v in shown["visits"]] == ["cadence", "cadence", "service_day"]


def test_a_locality_variant_of_the_cadence_decision_applies_there_only(county):
    api = county
    dmn = (ROOT / "processes" / "household_visit" / "visit_cadence.dmn").read_text(encoding="utf-8")
    every_three = dmn.replace('<outputEntry id="rule_elderly_out"><text>7</text>', '<outputEntry id="rule_elderly_out">'
                              '<text>3</text>')
    assert every_three != dmn
    ok(api.deploy({"visit_cadence.dmn": every_three.encode()}, locality="xs"), 201)
    service_day(api)
    service_day(api, "xs-sq-01")
    with time_machine.travel(at(2026, 10, 8, 15), tick=False):
        visit(api, "gridlead-dc-dm-01", "DM1-A", {"outcome": "met"})
        visit(api, "worker-xs-sq-01", "SQ1-A", {"outcome": "met"})
    assert history(api, "DM1-A")["next_due"] == "2026-10-15"
    assert history(api, "SQ1-A", "worker-xs-sq-01")["next_due"] == "2026-10-11"


def test_visits_open_at_the_deadline_turn_red_on_the_supervisors_board(county):
    api = county
    service_day(api)
    with time_machine.travel(at(2026, 10, 12, 20), tick=False):
        tick(api)
        assert all(t["sla_state"] != "red" for t in task_named(api, "worker-dc-dm-01", "visit"))
    with time_machine.travel(at(2026, 10, 13, 8), tick=False):
        tick(api)
        summary = ok(api.get("/supervision/summary?org_unit=dc-dm", "head-dc-dm")).get_json()
        by_process = {p["process_key"]: p for p in summary["processes"]}
        assert by_process["grid_service_day"]["red"] == 5 and by_process["grid_service_day"]["name"] == "网格服务日"
        red = ok(api.get("/supervision/breaches?org_unit=qingxi&colour=red", "supervisor")).get_json()
        names = sorted(b["name"] for b in red["items"] if b["org_unit"].startswith("dc-dm"))
        assert names == ["入户走访"] * 4 + ["确认服务日计划"]  # and 东门社区第2网格's plan, a day late


def test_the_summary_opens_when_every_visit_is_recorded(county):
    api = county
    service_day(api)
    with time_machine.travel(at(2026, 10, 9, 10), tick=False):
        visit(api, "gridlead-dc-dm-01", "DM1-A", {"outcome": "met"})
        visit(api, "staff-dc-dm", "DM1-B", {"outcome": "not_home"})
        visit(api, "dispatcher-dc", "DM1-E", {"outcome": "refused"})
        assert task_named(api, "gridlead-dc-dm-01", "summary") == []
        visit(api, "worker-dc-dm-01", "DM1-C", {"outcome": "met", "help_given": "送轮椅"})
        [summary] = task_named(api, "gridlead-dc-dm-01", "summary")
        values = ok(api.get(f"/tasks/{summary['id']}", "gridlead-dc-dm-01")).get_json()["form"]["values"]
        assert (values["visit_count"], values["met_count"], values["not_home_count"], values["refused_count"]) == \
            (4, 2, 1, 1)
        ok(api.complete(summary["id"], "gridlead-dc-dm-01", {"summary": "走访完成"}))
    assert api.instance(summary["instance_id"])["status"] == "completed"


def assignee_model() -> bytes:
    task = ('<bpmn:userTask id="look" name="看看"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="assignee_from" value="owner.username"/></spiffworkflow:properties>'
            "</bpmn:extensionElements></bpmn:userTask>")
    return models.simple("handed", task, lanes={"grid_worker": ["start", "look", "end"]})


@pytest.mark.parametrize(("owner", "assignee"), [({"username": "gridlead-dc-dm-01"}, "gridlead-dc-dm-01"),
                                                  ({"username": "nobody"}, None), ("gridlead-dc-dm-01", None),
                                                  ({}, None)])
def test_assignee_from_hands_a_task_to_the_person_named_in_the_data_or_leaves_it_to_the_lane(api, owner, assignee):
    ok(api.deploy({"handed.bpmn": assignee_model()}), 201)
    case = ok(api.start("handed", "dc-dm-01", {"owner": owner}, "worker-dc-dm-01"), 201).get_json()["id"]
    [task] = api.instance(case)["tasks"]
    assert task["assignee"] == assignee and task["role"] == "grid_worker" and task["org_unit"] == "dc-dm-01"


def test_assignee_from_reads_usernames_and_dotted_paths_of_active_users(app):
    with app.app_context():
        user = people.save_user(username="visitor-x", name="走访员")
        db.session.commit()
        assert sync.assignee_from("a.b", {"a": {"b": "visitor-x"}}).id == user.id
        assert sync.assignee_from("a", {"a": {"username": "visitor-x"}}).id == user.id
        assert sync.assignee_from(None, {"a": "visitor-x"}) is None
        assert sync.assignee_from("a.b", {"a": "visitor-x"}) is None
        user.active = False
        db.session.commit()
        assert sync.assignee_from("a", {"a": "visitor-x"}) is None
        db.session.remove()
