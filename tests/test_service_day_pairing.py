"""专人结对 over the API: pairing per household with a cap that warns, CSV import all or nothing, gaps,
and household data masked for those who do not serve the household (the visibility policy)."""

import pytest
import time_machine

from tests.service_day_support import (
    at,
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
)
from tests.support import ok


@pytest.fixture
def grid(api):
    ids = import_households(api, [
        household("P-1", "dc-dm-01", elderly_alone=True), household("P-2", "dc-dm-01", hardship=True),
        household("P-3", "dc-dm-01", disability=True), household("P-4", "dc-dm-01"),
        household("P-5", "dc-dm-02", hardship=True)])
    api.ids = ids
    return api


def test_a_pairing_past_the_cap_is_saved_with_a_warning_and_can_be_removed(grid):
    api = grid
    set_rule(api, "dc", {"day": 1}, user="leader-dc", pairing_cap=2)
    first = pair(api, api.ids["P-1"], "worker-dc-dm-01", user="gridlead-dc-dm-01").get_json()
    assert first["username"] == "worker-dc-dm-01" and first["count"] == 1 and first["cap"] == 2
    assert first["warnings"] == []
    pair(api, "P-2", "worker-dc-dm-01", user="staff-dc-dm")  # by household code too
    third = pair(api, api.ids["P-3"], "worker-dc-dm-01").get_json()
    assert third["count"] == 3 and [w["code"] for w in third["warnings"]] == ["over_cap"]
    assert "超过上限 2" in third["warnings"][0]["message"]
    again = pair(api, api.ids["P-3"], "worker-dc-dm-01").get_json()
    assert again["count"] == 3  # the same pairing twice counts once
    cleared = ok(delete(api, f"/households/{api.ids['P-3']}/pairing", "gridlead-dc-dm-01")).get_json()
    assert cleared["username"] is None and cleared["warnings"] == []
    listed = ok(api.get("/service-day/pairings?org_unit=dc-dm-01", "gridlead-dc-dm-01")).get_json()
    assert listed["people"] == [{"username": "worker-dc-dm-01", "name": "东门社区第1网格网格员", "count": 2,
                                 "cap": 2, "over": False}]


def test_pairings_are_refused_for_unknown_people_residents_and_those_who_do_not_serve_the_household(grid):
    api = grid
    ok(put(api, f"/households/{api.ids['P-1']}/pairing", "admin", {"username": "nobody"}), 422)
    ok(put(api, f"/households/{api.ids['P-1']}/pairing", "admin", {"username": "resident-dc-dm"}), 422)
    ok(put(api, f"/households/{api.ids['P-1']}/pairing", "worker-xs-sq-01", {"username": "worker-xs-sq-01"}), 403)
    ok(put(api, f"/households/{api.ids['P-1']}/pairing", "leader-dc", {"username": "worker-dc-dm-01"}), 403)
    ok(put(api, "/households/NO-SUCH/pairing", "admin", {"username": "worker-dc-dm-01"}), 404)
    ok(put(api, f"/households/{api.ids['P-1']}/pairing", "admin", {"username": ""}), 422)
    ok(delete(api, f"/households/{api.ids['P-1']}/pairing", "resident-dc-dm"), 403)


def test_a_csv_import_pairs_all_rows_or_none(grid):
    api = grid
    bad = import_pairings(api, "household,username\nP-1,gridlead-dc-dm-01\nP-9,worker-dc-dm-01\nP-2,nobody\n")
    errors = ok(bad, 422).get_json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(3, "household"), (4, "username")}
    assert ok(api.get("/service-day/pairings?org_unit=dc-dm-01", "admin")).get_json()["people"] == []
    twice = import_pairings(api, "household,username\nP-1,gridlead-dc-dm-01\nP-1,worker-dc-dm-01\n")
    assert ok(twice, 422).get_json()["errors"][0]["row"] == 3
    done = ok(import_pairings(api, "household,username\nP-1,gridlead-dc-dm-01\nP-2,worker-dc-dm-01\n"
                                   "P-5,worker-dc-dm-02\n")).get_json()
    assert (done["rows"], done["paired"], done["unpaired"], done["unchanged"]) == (3, 3, 0, 0)
    cleared = ok(import_pairings(api, "household,username\nP-1,\nP-2,worker-dc-dm-01\n")).get_json()
    assert (cleared["unpaired"], cleared["unchanged"]) == (1, 1)
    by_id = ok(import_pairings(api, f"household_id,username\n{api.ids['P-1']},staff-dc-dm\n")).get_json()
    assert by_id["paired"] == 1
    ok(import_pairings(api, "household,username\nP-1,gridlead-dc-dm-01\n", user="worker-xs-sq-01"), 422)


def test_special_group_households_nobody_is_paired_with_are_gaps(grid):
    api = grid
    gaps = ok(api.get("/service-day/gaps?org_unit=dc-dm", "head-dc-dm")).get_json()
    assert sorted(h["code"] for h in gaps) == ["P-1", "P-2", "P-3", "P-5"]
    pair(api, api.ids["P-1"], "gridlead-dc-dm-01")
    ok(put(api, f"/households/{api.ids['P-4']}/groups", "gridlead-dc-dm-01", {"groups": ["left_behind_child"]}))
    gaps = ok(api.get("/service-day/gaps?org_unit=dc-dm-01", "gridlead-dc-dm-01")).get_json()
    assert sorted(h["code"] for h in gaps) == ["P-2", "P-3", "P-4"]  # a group the locality defines counts
    listed = ok(api.get("/service-day/pairings?org_unit=dc-dm-01", "gridlead-dc-dm-01")).get_json()
    assert listed["gaps"] == 3 and len(listed["households"]) == 4
    ok(api.get("/service-day/gaps?org_unit=dc-dm-01", "evaluator"), 403)
    ok(api.get("/service-day/gaps?org_unit=dc-dm-01", "worker-xs-sq-01"), 403)
    ok(put(api, f"/households/{api.ids['P-4']}/groups", "gridlead-dc-dm-01", {"groups": ["Bad Code"]}), 422)


def test_visit_records_are_masked_for_those_who_do_not_serve_the_household(grid):
    api = grid
    with time_machine.travel(at(2026, 10, 8), tick=False):
        deploy_all(api)
        set_rule(api, "qingxi", {"day": 1})
        pair(api, api.ids["P-1"], "gridlead-dc-dm-01")
        tick(api)
        [plan] = task_named(api, "gridlead-dc-dm-01", "confirm_plan")
        ok(api.complete(plan["id"], "gridlead-dc-dm-01", {"theme": "敬老"}))
        [visit] = task_named(api, "gridlead-dc-dm-01", "visit")
        ok(api.complete(visit["id"], "gridlead-dc-dm-01",
                        {"outcome": "met", "needs": "需要助餐", "help_given": "送米面"}))
    served = ok(api.get(f"/households/{api.ids['P-1']}/visits", "worker-dc-dm-01")).get_json()
    assert served["household"]["head_name"] == "户主P-1" and served["visits"][0]["needs"] == "需要助餐"
    for town in ("leader-dc", "supervisor"):
        shown = ok(api.get(f"/households/{api.ids['P-1']}/visits", town)).get_json()
        assert shown["household"]["head_name"] is None and shown["household"]["phone"] is None
        assert shown["visits"][0]["outcome"] == "met" and shown["visits"][0]["needs"] is None
        assert shown["visits"][0]["help_given"] is None
    for outsider in ("evaluator", "worker-xs-sq-01", "dept-cg-staff", "resident-dc-dm"):
        ok(api.get(f"/households/{api.ids['P-1']}/visits", outsider), 403)
    case = visit["instance_id"]
    assert "visits" in api.instance(case, "leader-dc")["data"]
    assert "visits" not in api.instance(case, "evaluator")["data"]  # who is on the list is personal
    assert "household_label" not in api.instance(case, "evaluator")["data"]


def test_a_nameless_multipart_part_is_refused_not_a_server_error(grid):
    api = grid
    body = (b'--XX\r\nContent-Disposition: form-data\r\n\r\n{"a": 1}\r\n--XX\r\nContent-Disposition: form-data; '
            b'name="b"\r\n\r\nv\r\n--XX--\r\n')
    response = api.client.post("/api/v1/org/import/pairings", data=body,
                               headers={**api.headers("admin"), "Content-Type": "multipart/form-data; boundary=XX"})
    assert ok(response, 422).get_json()["errors"] == {"_": ["Unknown field."], "b": ["Unknown field."]}
