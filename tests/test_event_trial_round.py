"""The evening trial's findings on the event process: a re-dispatch after a return, each stage's
own notes, the town urging those it summoned, links only to tasks one may open, a refused form's
address, the context each step needs, and extension approvals told in words."""

import pytest
import time_machine

from tests.support import ok, with_event_handling
from tests.test_event_handling import BIN_FULL, MONDAY_9, POTHOLE, do, report, task
from tests.test_event_whistle_loop import _whistle_and_return
from tests.test_web_case_pages import visible
from tests.test_web_pages import csrf, login


@pytest.fixture
def events(api):
    with time_machine.travel(MONDAY_9, tick=False):
        with_event_handling(api)
        yield api


def test_a_redispatch_after_a_return_may_go_to_the_town_and_says_who_returned_it(events):
    case = _whistle_and_return(events)
    decision = task(events, "dispatcher-dc", case, "镇街研判")
    assert events.instance(case)["data"]["lead_department"] == ""  # no stale lead to pre-fill
    page = visible(ok(login(events.app, "dispatcher-dc").get(f"/tasks/{decision['id']}"), 200).data.decode())
    assert "回退说明" in page and "交通运输局" in page and "非交通设施，属住建职责" in page
    assert "已办结部门" in page and "住房和城乡建设局" in page
    # the form as the page posts it: a lead left over, no department ticked, the town handles it
    done = events.complete(decision["id"], "dispatcher-dc", {"decision": "self", "departments": [],
                                                            "lead_department": "dept-cg", "dispatch_note": "自办"})
    assert done.status_code == 200, done.get_json()


def test_the_lead_rule_still_holds_when_summoning(events):
    case = _whistle_and_return(events)
    decision = task(events, "dispatcher-dc", case, "镇街研判")
    refused = events.complete(decision["id"], "dispatcher-dc", {"decision": "whistle", "departments": ["dept-sj"],
                                                               "lead_department": "dept-cg"})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["lead_department"]


def test_a_reload_after_a_refused_form_goes_back_to_the_task(events):
    case = _whistle_and_return(events)
    decision = task(events, "dispatcher-dc", case, "镇街研判")
    browser = login(events.app, "dispatcher-dc")
    response = browser.get(f"/tasks/{decision['id']}/complete")
    assert response.status_code in (302, 303) and response.headers["Location"].endswith(f"/tasks/{decision['id']}")


def test_each_stage_writes_its_own_note_and_the_case_keeps_them_all(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve", "handling_note": "社区协调未果"})
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "self", "dispatch_note": "镇街自办"})
    town = events.get(f"/tasks/{task(events, 'dispatcher-dc', case, '镇街处置')['id']}", "dispatcher-dc").get_json()
    assert not town["form"]["values"].get("handling_note")  # not the community's text
    do(events, "dispatcher-dc", case, "镇街处置", {"handling_note": "镇街已组织清运"})
    page = visible(ok(login(events.app, "dispatcher-dc").get(f"/cases/{case}"), 200).data.decode())
    notes = page.split("各环节处置情况", 1)[1]
    assert "社区处置" in notes and "社区协调未果" in notes and "镇街处置" in notes and "镇街已组织清运" in notes


def test_the_case_page_shows_when_and_where_each_department_reported_in(events):
    case = _whistle_and_return(events)
    page = ok(login(events.app, "dispatcher-dc").get(f"/cases/{case}"), 200).data.decode()
    assert page.count("data-check-in") == 2
    reports = visible(page).split("部门处置情况", 1)[1].split("待办环节", 1)[0]
    assert "报到情况 · 2026-03-02 09:00" in " ".join(reports.split()) and "已到现场" in reports


def test_the_summoning_town_urges_its_departments_and_they_read_who_urged(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj"],
                                                "dispatch_note": "请住建到场"})
    report_in = task(events, "dept-zj-staff", case, "部门报到")
    browser = login(events.app, "dispatcher-dc")
    page = ok(browser.get(f"/tasks/{report_in['id']}"), 200).data
    assert f"/tasks/{report_in['id']}/urge".encode() in page
    urged = browser.post(f"/tasks/{report_in['id']}/urge", data={"message": "请今日到场", "csrf_token": csrf(page)})
    assert urged.status_code == 302
    [note] = [n for n in events.get("/notifications", "dept-zj-staff").get_json() if n["kind"] == "urge"]
    assert "请今日到场" in note["body"] and "派遣员" in note["body"]
    assert "task_urged" in [e["kind"] for e in events.instance(case)["history"]]
    other = events.post(f"/tasks/{report_in['id']}/urge", "dispatcher-xs", json={"message": "越权"})
    assert other.status_code == 403  # a town urges only for its own cases


def test_a_case_page_links_only_the_tasks_the_viewer_may_open(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"]})
    theirs = task(events, "dept-zj-staff", case, "部门报到")
    mine = task(events, "dept-cg-staff", case, "部门报到")
    browser = login(events.app, "dept-cg-staff")
    assert browser.get(f"/tasks/{theirs['id']}").status_code == 403
    page = ok(browser.get(f"/cases/{case}"), 200).data.decode()
    assert f'href="/tasks/{mine["id"]}"' in page and f'href="/tasks/{theirs["id"]}"' not in page
    assert page.count("data-not-yours") == 1


RESIDENT = {"condition_code": BIN_FULL, "address": "东门小区3幢", "description": "垃圾桶满溢",
            "contact_phone": "13800000000", "photos": ["uploads/bin.jpg"],
            "location": {"lat": 30.27412, "lng": 120.15515, "text": "3幢门口"}}


def test_acceptance_and_callback_show_what_the_step_needs(events):
    case = ok(events.start("event_handling", "dc-dm-01", RESIDENT, "resident-dc-dm"), 201).get_json()["id"]
    staff = login(events.app, "staff-dc-dm")
    accept = task(events, "staff-dc-dm", case, "社区受理")
    page = visible(ok(staff.get(f"/tasks/{accept['id']}"), 200).data.decode())
    assert "立案条件" in page and "垃圾桶满溢" in page and "现场照片" in page
    assert "uploads/bin.jpg" in ok(staff.get(f"/tasks/{accept['id']}"), 200).data.decode()
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    callback = task(events, "staff-dc-dm", case, "回访")
    page = visible(ok(staff.get(f"/tasks/{callback['id']}"), 200).data.decode())
    assert "联系电话" in page and "13800000000" in page
    case_page = visible(ok(login(events.app, "dispatcher-dc").get(f"/cases/{case}"), 200).data.decode())
    assert "3幢门口" in case_page  # the event's location


def test_the_callback_phone_stays_hidden_from_those_who_do_not_serve_the_reporter(events):
    case = ok(events.start("event_handling", "dc-dm-01", RESIDENT, "resident-dc-dm"), 201).get_json()["id"]
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    callback = task(events, "staff-dc-dm", case, "回访")
    assert events.get(f"/tasks/{callback['id']}", "staff-dc-dm").get_json()["form"]["values"]["contact_phone"]
    seen = events.get(f"/tasks/{callback['id']}", "evaluator")
    assert seen.status_code == 200 and "13800000000" not in seen.get_data(as_text=True)
