"""Bulk import/export of the org tree, users and households: all or nothing, idempotent, rows named."""

import io
import json

from sqlalchemy import func, select

from workflow_app import demo
from workflow_app.extensions import db
from workflow_app.models import OrgUnit, User

UNITS = """code,name_zh,name_en,level,type,parent,grid_type
ly,龙岩镇,Longyan Town,town,area,qingxi,
ly-hs,后山村,Houshan Village,community,area,ly,
ly-hs-01,后山村第1网格,Houshan Grid 1,grid,area,ly-hs,联络
ly-hs-02,后山村第2网格,,grid,area,ly-hs,重点
"""
USERS = """username,name,phone,roles,active,password
zhao,赵网格,13800000001,grid_worker@ly-hs-01,true,
qian,钱社区,13800000002,community_staff@ly-hs;community_head@ly-hs,true,
"""
HOUSEHOLDS = """code,org_unit,address,head_name,phone,id_number,members,elderly_alone,hardship,disability,notes
H001,ly-hs-01,后山村1号,孙大爷,13900000001,330102195001011234,1,是,否,否,独居老人 每周走访
H002,ly-hs-02,后山村2号,李阿姨,13900000002,,3,false,true,false,
"""


def _import(api, kind, content, fmt="csv", user="admin"):
    data = {"file": (io.BytesIO(content.encode() if isinstance(content, str) else content), f"{kind}.{fmt}")}
    return api.client.post(f"/api/v1/org/import/{kind}", headers=api.headers(user), data=data,
                           content_type="multipart/form-data")


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_import_units_users_households_idempotently(api):
    first = _import(api, "org_units", UNITS)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"kind": "org_units", "rows": 4, "created": 4, "updated": 0, "unchanged": 0}
    again = _import(api, "org_units", UNITS).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)

    units = {u["code"]: u for u in api.get("/org-units", "admin").get_json()}
    assert units["ly-hs-01"]["parent"] == "ly-hs" and units["ly-hs-01"]["grid_type"] == "联络"
    assert units["ly"]["parent"] == "qingxi"

    users = _import(api, "users", USERS).get_json()
    assert users["created"] == 2
    assert _import(api, "users", USERS).get_json()["unchanged"] == 2
    households = _import(api, "households", HOUSEHOLDS).get_json()
    assert households["created"] == 2 and _import(api, "households", HOUSEHOLDS).get_json()["unchanged"] == 2


def test_one_bad_row_applies_nothing_and_names_the_row(api):
    bad = UNITS + "ly-hs-03,后山村第3网格,,grid,area,no-such-parent,\nly-x,,,street,area,ly,\n"
    before = _count(api.app, OrgUnit)
    response = _import(api, "org_units", bad)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(6, "parent"), (7, "name_zh"), (7, "level")}
    assert "nothing was imported" in response.get_json()["message"]
    assert _count(api.app, OrgUnit) == before

    users = ("username,name,phone,roles,active,password\nzhao,赵网格,13800000001,grid_worker@dc-dm-01,true,\n"
             "qian,钱社区,,community_staff@dc-dm,yes,\nwu,吴,not-a-phone,grid_worker@nowhere;boss@dc,true,short\n")
    response = _import(api, "users", users)
    assert response.status_code == 422
    fields = {(e["row"], e["field"]) for e in response.get_json()["errors"]}
    assert fields == {(4, "phone"), (4, "roles"), (4, "password")}
    assert _count(api.app, User) == len(demo.demo_users())  # the demo users only


def test_json_import_and_duplicate_keys(api):
    rows = [{"code": "ly", "name_zh": "龙岩镇", "level": "town", "type": "area", "parent": "qingxi"},
            {"code": "ly", "name_zh": "龙岩镇二", "level": "town", "type": "area", "parent": "qingxi"}]
    response = _import(api, "org_units", json.dumps(rows, ensure_ascii=False), fmt="json")
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"row": 2, "field": "code", "message": "'ly' appears twice in the file"}]
    ok = _import(api, "org_units", json.dumps(rows[:1], ensure_ascii=False), fmt="json")
    assert ok.status_code == 200 and ok.get_json()["created"] == 1


def test_parents_may_come_later_in_the_file_and_cycles_are_refused(api):
    reordered = "code,name_zh,level,type,parent\nly-hs,后山村,community,area,ly\nly,龙岩镇,town,area,qingxi\n"
    assert _import(api, "org_units", reordered).status_code == 200
    cycle = "code,name_zh,level,type,parent\na1,甲,town,area,b1\nb1,乙,community,area,a1\n"
    response = _import(api, "org_units", cycle)
    assert response.status_code == 422


def test_export_round_trip(api):
    for kind, rows in (("org_units", UNITS), ("users", USERS), ("households", HOUSEHOLDS)):
        imported = _import(api, kind, rows)
        assert imported.status_code == 200, imported.get_json()
    for kind in ("org_units", "users", "households"):
        exported = api.get(f"/org/export/{kind}", "admin")
        assert exported.status_code == 200 and exported.mimetype == "text/csv"
        again = _import(api, kind, exported.data).get_json()
        assert again["created"] == again["updated"] == 0, (kind, again)
    as_json = api.get("/org/export/users?format=json", "admin").get_json()
    zhao = next(u for u in as_json if u["username"] == "zhao")
    assert zhao["roles"] == "grid_worker@ly-hs-01" and zhao["password"] == ""


def test_only_admins_import_and_export(api):
    assert _import(api, "org_units", UNITS, user="supervisor").status_code == 403
    assert api.get("/org/export/users", "designer").status_code == 403


def test_personal_household_fields_only_for_those_who_serve(api):
    for kind, rows in (("org_units", UNITS), ("users", USERS), ("households", HOUSEHOLDS)):
        imported = _import(api, kind, rows)
        assert imported.status_code == 200, imported.get_json()
    created = api.app.test_cli_runner().invoke(args=["create-user", "zhao", "--role", "grid_worker@ly-hs-01",
                                                     "--password", "demo1234"])
    assert created.exit_code == 0, created.output
    worker = {h["code"]: h for h in api.get("/households?org_unit=ly-hs-01", _login(api, "zhao")).get_json()}
    assert worker["H001"]["head_name"] == "孙大爷" and worker["H001"]["elderly_alone"] is True
    assert worker["H001"]["id_number"] == "330102195001011234"
    leader = {h["code"]: h for h in api.get("/households?org_unit=ly", "supervisor").get_json()}
    # A county supervisor sees households' flags, not who lives there (org/visibility.json).
    assert leader["H001"]["head_name"] is None and leader["H001"]["phone"] is None
    assert leader["H001"]["id_number"] is None and leader["H001"]["personal_visible"] is False
    assert leader["H001"]["address"] is None and leader["H001"]["elderly_alone"] is True
    flagged = api.get("/households?org_unit=ly&flag=hardship", "supervisor").get_json()
    assert [h["code"] for h in flagged] == ["H002"]
    assert api.get("/households?org_unit=ly-hs-01", "worker-dc-dm-01").status_code == 403
    assert api.get("/households", "worker-dc-dm-01").get_json() == []


def _login(api, username):
    api._tokens.pop(username, None)
    api.token(username, "demo1234")
    return username
