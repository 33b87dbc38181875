"""上报 from the web: people start what they may, where they may, with the start form's checks."""

import re

import pytest

from tests.support import ROOT, bundle, ok, only
from tests.test_web_pages import login
from workflow_app import demo
from workflow_app.extensions import db


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def _login(app, username):
    browser = app.test_client()
    token = _csrf(browser.get("/login").data)
    response = browser.post("/login", data={"username": username, "password": "demo123", "csrf_token": token})
    assert response.status_code == 302
    return browser


@pytest.fixture
def events(api):
    with api.app.app_context():
        demo.seed_catalogue()
        db.session.remove()
    assert api.deploy(bundle(ROOT / "processes" / "event_handling")).status_code == 201
    ok(api.deploy(bundle(ROOT / "processes" / "sla_extension")), 201)
    return api


def test_a_resident_reports_in_one_of_their_community_grids(events):
    browser = _login(events.app, "resident-dc-dm")
    listing = browser.get("/report").data.decode()
    assert "事件处置" in listing and "延期审批" not in listing  # internal processes are not offered
    form = browser.get("/report/event_handling").data.decode()
    assert 'value="dc-dm-01"' in form and 'value="dc-dm-02"' in form and 'value="xs-sq-01"' not in form
    assert "垃圾桶满溢" in form and "<optgroup" in form  # the catalogue is a grouped picker of names, not a code box
    token = _csrf(form.encode())
    bad = browser.post("/report/event_handling", data={"csrf_token": token, "org_unit": "dc-dm-01",
                                                       "condition_code": "B0301-01"})
    assert bad.status_code == 422 and "必填" in bad.data.decode()
    done = browser.post("/report/event_handling", data={
        "csrf_token": token, "org_unit": "dc-dm-02", "condition_code": "B0301-01", "address": "东门小区3幢",
        "description": "垃圾桶满溢"})
    assert done.status_code == 302 and "/cases/" in done.headers["Location"]
    assert any(t["name"] == "社区受理" for t in events.tasks("staff-dc-dm"))


def test_no_reporting_outside_ones_units(events):
    browser = _login(events.app, "worker-dc-dm-01")
    token = _csrf(browser.get("/report/event_handling").data)
    refused = browser.post("/report/event_handling", data={
        "csrf_token": token, "org_unit": "xs-sq-01", "condition_code": "B0301-01", "address": "x",
        "description": "越界上报"})
    assert refused.status_code == 422
    assert browser.get("/report/sla_extension").status_code == 404


def test_department_pickers_on_the_town_form(events):
    ok(events.start("event_handling", "dc-dm-01", {"condition_code": "B0201-01", "address": "北门路",
                                                   "description": "坑槽"}, "worker-dc-dm-01"), 201)
    task = only(events.tasks("dispatcher-dc"), "镇街研判")
    page = _login(events.app, "dispatcher-dc").get(f"/tasks/{task['id']}").data.decode()
    assert 'type="checkbox" name="departments" value="dept-zj"' in page
    assert 'value="ext-gd"' in page and 'value="dc-dm"' not in page  # departments and utilities only


def test_the_outboxs_token_says_who_is_logged_in_and_leaves_a_logged_out_session_alone(api):
    anonymous = api.app.test_client()
    answer = anonymous.get("/report/token")
    assert answer.status_code == 401 and answer.get_json()["error"] == "login"
    assert "Set-Cookie" not in answer.headers  # no new session behind a login form being filled in
    worker = login(api.app, "worker-dc-dm-01")
    token = ok(worker.get("/report/token"), 200).get_json()
    assert token["csrf_token"] and token["author"].isdigit()
