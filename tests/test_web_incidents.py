"""Incidents in the browser (issue 15): administrators list the cases in error with the element and
the problem in plain words, and retry with corrected data, suspend, resume or terminate."""

import re

from tests import models
from tests.support import ok
from tests.test_web_pages import login, post, text


def _failing(api) -> int:
    body = models.simple("scripted", models.user_task("fill", "填写"),
                         models.script_task("calc", "share = total / count"), models.user_task("after", "后续"))
    ok(api.deploy({"scripted.bpmn": body}), 201)
    case = ok(api.start("scripted", "dc-dm-01", {}, "admin"), 201).get_json()["id"]  # no start lane: admins start it
    [task] = api.tasks("admin", instance_id=case)
    ok(api.complete(task["id"], "admin", {"total": 10, "count": 0}), 200)
    return case


def test_an_admin_sees_the_incident_and_retries_with_corrected_data(api):
    case = _failing(api)
    admin = login(api.app, "admin")
    page = text(admin.get("/operations/incidents"))
    assert f'data-case-id="{case}"' in page and "calc" in page
    assert "除以零" in page and "第 1 行" in page and "share = total / count" in page
    bad = post(admin, f"/operations/incidents/{case}/retry", {"data": "{not json"})
    assert "JSON" in text(admin.get(bad.headers["Location"].split("#")[0]))
    ok(post(admin, f"/operations/incidents/{case}/retry", {"data": '{"count": 4}'}), 302)
    assert api.instance(case)["status"] == "running" and api.instance(case)["data"]["share"] == 2.5
    assert f'data-case-id="{case}"' not in text(admin.get("/operations/incidents"))


def test_suspend_resume_and_terminate_from_the_page(api):
    case = _failing(api)
    admin = login(api.app, "admin")
    ok(post(admin, f"/operations/incidents/{case}/suspend"), 302)
    assert api.instance(case)["status"] == "suspended"
    page = text(admin.get("/operations/incidents"))
    assert re.search(rf'data-case-id="{case}"', page) and "恢复" in page
    ok(post(admin, f"/operations/incidents/{case}/resume"), 302)
    assert api.instance(case)["status"] == "error"
    ok(post(admin, f"/operations/incidents/{case}/terminate", {"reason": "数据错误，重新上报"}), 302)
    assert api.instance(case)["status"] == "terminated"


def test_incidents_are_for_administrators(api):
    case = _failing(api)
    assert login(api.app, "worker-dc-dm-01").get("/operations/incidents").status_code == 403
    worker = login(api.app, "worker-dc-dm-01")
    refused = post(worker, f"/operations/incidents/{case}/suspend")
    assert refused.status_code == 302  # refused, and said so
    assert api.instance(case)["status"] == "error"
