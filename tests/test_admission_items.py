"""The admitted-items list as data: CSV import (all rows or none, errors name the row) and export,
versions and history, inheritance down the org tree, expiry recorded by the scheduler, and
hostile queries answered with 4xx."""

import csv
import io
from datetime import datetime

from tests.support import ok
from tests.test_admission_helpers import (  # noqa: F401 - the *_fixture names are fixtures
    BEIJING,
    ITEMS,
    adm_fixture,
    clock_fixture,
    csv_rows,
    import_items,
    listed_fixture,
)
from workflow_app.timers import scheduler


def test_an_import_is_all_rows_or_none_and_its_errors_name_the_rows(adm):
    bad = csv_rows(
        "QX-A-01,协助开展敬老慰问,assist,dept-cg,《老年人权益保障法》,dc,community,2026-01-01,,admitted,,0,0",
        "QX-A-02,协助开展禁毒宣传,assist,dept-nowhere,《禁毒法》,dc,community,2026-01-01,,admitted,,0,0",
        "QX-A-03,协助开展征兵宣传,assist,dept-cg,《兵役法》,nowhere,community,2026-01-01,,admitted,,0,0",
        "QX-A-01,重复的编码,duty,dept-cg,《居委会组织法》,dc,community,2026-13-01,,retired,,-5,0",
    )
    response = import_items(adm, bad)
    body = response.get_json()
    assert response.status_code == 422
    assert {(e["row"], e["field"]) for e in body["errors"]} >= {
        (3, "department"), (4, "units"), (5, "code"), (5, "status")}
    assert all(e["row"] != 2 for e in body["errors"])
    assert adm.get("/admission/items?status=all", "admin").get_json() == []
    assert import_items(adm, ITEMS, user="dept-cg-staff").status_code == 403
    assert import_items(adm, b"\xff\xfe not csv").status_code == 422
    assert import_items(adm, b"code,name\nX,Y\n").status_code == 422


def test_export_and_import_round_trip_and_a_changed_row_is_a_new_version(listed):
    exported = ok(listed.get("/admission/export?format=csv", "staff-dc-dm")).get_data()
    again = ok(import_items(listed, exported)).get_json()
    assert again == {"rows": 3, "created": 0, "changed": 0, "unchanged": 3, "withdrawn": 0}
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert {r["code"]: r["status"] for r in rows} == {"QX-CG-01": "admitted", "QX-CG-09": "withdrawn",
                                                     "QX-SL-01": "admitted"}
    changed = exported.decode("utf-8-sig").replace(",20000,1,", ",25000,2,", 1).encode()
    report = ok(import_items(listed, changed)).get_json()
    assert report["changed"] == 1 and report["unchanged"] == 2
    item = listed.get("/admission/items/QX-CG-01", "admin").get_json()
    assert [(v["version"], v["kind"]) for v in item["versions"]] == [(1, "imported"), (2, "imported")]
    assert item["resources"] == {"funding": 25000, "staff": 2}
    assert [e["change"] for e in item["lists"]] == ["added", "changed"]
    as_json = listed.get("/admission/export?format=json", "admin").get_json()
    assert {i["code"] for i in as_json} == {"QX-CG-01", "QX-CG-09", "QX-SL-01"}


def test_units_inherit_from_their_ancestors_and_towns_see_only_their_own(listed):
    def codes(unit, **query):
        return [i["code"] for i in listed.get("/admission/items", "resident-dc-dm",
                                              query_string={"org_unit": unit, **query}).get_json()]

    assert codes("dc-dm") == codes("dc-dm-01") == codes("dc-dm-01-1") == ["QX-CG-01"]
    assert codes("xs-sq-02") == ["QX-SL-01"]
    assert codes("dc") == codes("qingxi") == []
    assert codes("dc-dm", status="withdrawn") == ["QX-CG-09"] and codes("dc-dm", status="all") == [
        "QX-CG-01", "QX-CG-09"]
    assert codes("dc-dm", list="duty") == []
    page = listed.get("/admission/lists/dc-dm-01", "worker-dc-dm-01").get_json()
    assert [i["code"] for i in page["items"]] == ["QX-CG-01"]
    assert {(v["unit"], v["change"]) for v in page["versions"]} == {("dc", "added"), ("dc", "removed")}


def test_expiry_is_recorded_once_by_the_scheduler(listed, clock):
    ok(import_items(listed, csv_rows(
        "QX-CG-30,协助开展春季植树宣传,assist,dept-cg,《森林法》,dc,community,2026-01-01,2026-03-31,admitted,,0,0")))
    clock.move_to(datetime(2026, 4, 1, 9, 0, tzinfo=BEIJING))
    first, second = scheduler.tick(listed.app), scheduler.tick(listed.app)
    assert first["admission_expired"] == 1 and second["admission_expired"] == 0
    item = listed.get("/admission/items/QX-CG-30", "admin").get_json()
    assert item["status"] == "expired" and [v["kind"] for v in item["versions"]] == ["imported", "expired"]
    assert item["lists"][-1]["change"] == "expired"


def test_hostile_list_queries_answer_4xx(listed):
    for path in ("/admission/items?status=bogus", "/admission/items?org_unit=nowhere", "/admission/items?list=x",
                 "/admission/items/" + "x" * 3000, "/admission/items/%00", "/admission/lists/nowhere",
                 "/admission/export?format=xml", "/admission/applications?status=nope",
                 "/admission/blocked/2147483648/terminate"):
        response = listed.get(path, "admin")
        assert 400 <= response.status_code < 500, (path, response.status_code)
    assert listed.get("/admission/items", None).status_code == 401
