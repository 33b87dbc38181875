"""The event catalogue: versioned CSV import (all or nothing), lookups, and locality overrides."""

import io

from tests.support import ROOT
from workflow_app import demo

CSV = (ROOT / "processes" / "catalogue" / "event_catalogue.csv").read_bytes()


def _import(api, content: bytes, user: str = "admin"):
    return api.client.post("/api/v1/catalogue/import", headers=api.headers(user),
                           data={"file": (io.BytesIO(content), "catalogue.csv")}, content_type="multipart/form-data")


def test_import_is_versioned_and_idempotent(api):
    first = _import(api, CSV)
    assert first.status_code == 200 and first.get_json()["version"] == 1 and first.get_json()["created"] is True
    assert first.get_json()["conditions"] >= 40
    again = _import(api, CSV).get_json()
    assert again["version"] == 1 and again["created"] is False
    changed = CSV.replace("井盖缺失、移位、开裂".encode(), "井盖缺失或移位".encode())
    assert _import(api, changed).get_json()["version"] == 2
    listing = api.get("/catalogue?q=井盖", "worker-dc-dm-01").get_json()
    assert {c["code"] for c in listing} >= {"B0101-01", "B0101-02"} and listing[0]["class"] == "部件"
    assert _import(api, CSV, user="supervisor").status_code == 403


def test_a_bad_row_imports_nothing(api):
    bad = CSV + "事件,99,测试,E9901,测试,E9901-01,条件,abc,fortnights,结案,aliens,huge\n".encode()
    response = _import(api, bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"time_limit", "time_unit", "department_type", "severity"}
    assert {e["row"] for e in response.get_json()["errors"]} == {CSV.decode().count("\n") + 1}
    assert api.get("/catalogue", "admin").get_json() == []


def test_locality_overrides_the_limit_in_its_subtree_only(api):
    with api.app.app_context():
        demo.seed_catalogue()
    put = api.client.put("/api/v1/catalogue/overrides?locality=dc", headers=api.headers("admin"),
                         json={"items": [{"condition_code": "B0102-03", "time_limit": 1, "time_unit": "work_days"}]})
    assert put.status_code == 200, put.get_json()
    in_dc = api.get("/catalogue/B0102-03?org_unit=dc-dm-01", "admin").get_json()
    in_xs = api.get("/catalogue/B0102-03?org_unit=xs-sq-01", "admin").get_json()
    assert (in_dc["time_limit"], in_dc["time_unit"], in_dc["overridden_by"]) == (1, "work_days", "dc")
    assert (in_xs["time_limit"], in_xs["time_unit"]) == (3, "work_days")
    assert api.get("/catalogue/NOPE", "admin").status_code == 404
    unknown = api.client.put("/api/v1/catalogue/overrides?locality=dc", headers=api.headers("admin"),
                             json={"items": [{"condition_code": "NOPE", "time_limit": 1}]})
    assert unknown.status_code == 422


def test_cli_import(app, tmp_path):
    runner = app.test_cli_runner()
    migrated = runner.invoke(args=["migrate"])
    assert migrated.exit_code == 0, migrated.output
    path = tmp_path / "c.csv"
    path.write_bytes(CSV)
    assert "imported as v1" in runner.invoke(args=["import-catalogue", str(path)]).output
    assert "unchanged: v1" in runner.invoke(args=["import-catalogue", str(path)]).output


def test_a_file_that_is_not_utf8_is_refused_cleanly(api):
    response = _import(api, b"\x89PNG\r\n\x1a\n\x00\x00")
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "file"
