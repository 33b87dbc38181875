"""The burden report (减负) over the API: per community and month, the items in force and what they
promised, the tasks received per item and the working hours they took, the tasks refused and why,
and the admission refusals against each pushing department; as JSON and CSV."""

import csv
import io
from datetime import datetime

from tests.support import ok, only
from tests.test_admission_helpers import (  # noqa: F401 - the *_fixture names are fixtures
    BEIJING,
    adm_fixture,
    assign,
    assignment,
    clock_fixture,
    csv_rows,
    import_items,
    listed_fixture,
)


def _month_of_work(api, clock) -> int:
    """May 2026 in 东城街道: 东门社区 reports after three working hours, 北关社区 refuses, and two pushes
    are stopped before they reach anyone (an unknown item for 东门社区, 水利局's item for 北关社区)."""
    clock.move_to(datetime(2026, 5, 6, 9, 0, tzinfo=BEIJING))
    case = ok(assign(api), 201).get_json()["id"]
    assert assign(api, assignment(item_code="QX-NOPE", communities=["dc-dm"])).status_code == 422
    other = assignment(item_code="QX-SL-01", communities=["dc-bg"], department="dept-sl")
    assert assign(api, other, unit="dept-sl", user="dept-sl-staff").status_code == 422
    clock.move_to(datetime(2026, 5, 6, 14, 0, tzinfo=BEIJING))  # 09:00-12:00: three working hours
    dm = only(api.tasks("staff-dc-dm", process_key="department_assignment"))
    ok(api.complete(dm["id"], "staff-dc-dm", {"result": "done", "report": "已巡查"}))
    bg = only(api.tasks("staff-dc-bg", process_key="department_assignment"))
    ok(api.complete(bg["id"], "staff-dc-bg", {"result": "refused", "reason": "人员和经费未随事转"}))
    return case


def test_refusals_and_admission_refusals_are_counted_per_community(listed, clock):
    _month_of_work(listed, clock)
    report = ok(listed.get("/admission/burden?org_unit=dc&month=2026-05", "supervisor")).get_json()
    rows = {row["org_unit"]: row for row in report["rows"]}
    assert set(rows) == {"dc-dm", "dc-bg"}
    dm, bg = rows["dc-dm"], rows["dc-bg"]
    assert dm["items_in_force"] == bg["items_in_force"] == 1  # QX-CG-01; QX-CG-09 was withdrawn in February
    assert [(i["code"], i["tasks"]) for i in dm["items"]] == [("QX-CG-01", 1)]
    assert dm["tasks_received"] == 1 and dm["hours_spent"] == 3.0 and dm["tasks_refused"] == 0
    assert dm["admission_refusals"] == 1
    assert dm["admission_refusals_by_department"] == [{"department": "dept-cg", "name": "城市管理局", "count": 1}]
    assert bg["tasks_received"] == 1 and bg["tasks_refused"] == 1
    assert bg["refusal_reasons"] == [{"reason": "人员和经费未随事转", "count": 1}]
    assert bg["admission_refusals_by_department"] == [{"department": "dept-sl", "name": "水利局", "count": 1}]
    assert dm["funding_promised"] == 20000 and dm["items"][0]["resources"] == {"funding": 20000, "staff": 1}
    assert report["totals"]["tasks_refused"] == 1 and report["totals"]["admission_refusals"] == 2
    april = listed.get("/admission/burden?org_unit=dc&month=2026-04", "supervisor").get_json()
    assert all(r["tasks_received"] == 0 and r["admission_refusals"] == 0 for r in april["rows"])


def test_the_report_exports_as_csv(listed, clock):
    _month_of_work(listed, clock)
    response = ok(listed.get("/admission/burden?org_unit=dc&month=2026-05&format=csv", "supervisor"))
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_unit = {row["community"]: row for row in rows}
    assert by_unit["dc-bg"]["tasks_refused"] == "1" and "人员和经费未随事转" in by_unit["dc-bg"]["refusal_reasons"]
    assert by_unit["dc-dm"]["admission_refusals"] == "1" and by_unit["dc-dm"]["hours_spent"] == "3.0"


def test_who_reads_the_report(listed, clock):
    _month_of_work(listed, clock)
    mine = ok(listed.get("/admission/burden?month=2026-05", "staff-dc-dm")).get_json()
    assert [r["org_unit"] for r in mine["rows"]] == ["dc-dm"]  # a community's own report by default
    assert listed.get("/admission/burden?org_unit=xs&month=2026-05", "staff-dc-dm").status_code == 403
    assert listed.get("/admission/burden?org_unit=qingxi&month=2026-05", "resident-dc-dm").status_code == 403
    county = ok(listed.get("/admission/burden?org_unit=qingxi&month=2026-05", "admin")).get_json()
    assert len(county["rows"]) == 6


def test_hostile_report_queries_answer_4xx(listed):
    for query in ("month=2026-13", "month=abc", "month=9999-01", "org_unit=nowhere", "org_unit=dc-dm-01",
                  "format=xml", "org_unit=" + "x" * 500):
        response = listed.get(f"/admission/burden?{query}", "admin")
        assert 400 <= response.status_code < 500, (query, response.status_code)
