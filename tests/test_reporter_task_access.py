"""A case's reporter (a resident) follows it on the case's status page; the case's internal task
pages, their notes, files and actions are for who acts on them or serves its units as staff."""

import io

import pytest

from tests.support import ok, with_event_handling
from tests.test_event_handling import BIN_FULL, do, report, task
from tests.test_web_pages import login, post, text

REPORTER = "resident-dc-dm"


@pytest.fixture
def events(api):
    return with_event_handling(api)


@pytest.fixture
def reported(events):
    """A resident's case with a refused town step: an open task with a note by staff."""
    case = report(events, "dc-dm-01", BIN_FULL, user=REPORTER, contact_phone="13800000000")
    accept = task(events, "staff-dc-dm", case, "社区受理")
    ok(events.post(f"/tasks/{accept['id']}/comments", "staff-dc-dm", json={"text": "派遣意见：请城管处理"}), 201)
    return events, case, accept["id"]


def test_the_reporter_gets_no_task_over_the_api(reported):
    api, _case, task_id = reported
    for path in ("", "/comments", "/attachments", "/eligible-users"):
        assert api.get(f"/tasks/{task_id}{path}", REPORTER).status_code == 403, path
    writes = {"/comments": {"text": "我也说两句"}, "/claim": None, "/release": None,
              "/attachments": {"name": "a.png", "reference": "https://example.org/a.png"},
              "/extension": {"amount": 1, "unit": "days", "reason": "x"}, "/urge": {"message": "快点"},
              "/pause": {"reason": "x"}, "/resume": None, "/delegate": {"username": REPORTER},
              "/complete": {"data": {"accepted": True}}}
    for path, body in writes.items():
        assert api.post(f"/tasks/{task_id}{path}", REPORTER, json=body).status_code == 403, path
    notes = ok(api.get(f"/tasks/{task_id}/comments", "staff-dc-dm")).get_json()
    assert [n["text"] for n in notes] == ["派遣意见：请城管处理"]


def test_staff_of_the_case_units_still_open_its_tasks(reported):
    api, _case, task_id = reported
    for person in ("staff-dc-dm", "dispatcher-dc", "supervisor"):
        assert api.get(f"/tasks/{task_id}/comments", person).status_code == 200, person


def test_the_reporter_is_sent_to_the_case_status_page(reported):
    api, case, task_id = reported
    browser = login(api.app, REPORTER)
    page = browser.get(f"/tasks/{task_id}")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/cases/{case}")
    for path, form in ((f"/tasks/{task_id}/comments", {"text": "居民的意见"}), (f"/tasks/{task_id}/attachments", {})):
        refused = post(browser, path, form)
        assert refused.status_code in (302, 403), (path, refused.status_code)  # sent away or refused, never taken
    notes = ok(api.get(f"/tasks/{task_id}/comments", "staff-dc-dm")).get_json()
    assert "居民的意见" not in [n["text"] for n in notes]
    status = text(ok(browser.get(f"/cases/{case}")))
    assert f"/tasks/{task_id}" not in status and "派遣意见" not in status


def test_a_closed_task_is_refused_to_the_reporter_too(reported):
    api, case, task_id = reported
    do(api, "staff-dc-dm", case, "社区受理", {"accepted": True})
    assert api.get(f"/tasks/{task_id}", REPORTER).status_code == 403
    assert api.post(f"/tasks/{task_id}/complete", REPORTER, json={"data": {}}).status_code == 403


def test_a_refused_action_is_flashed_as_a_sentence(reported):
    api, case, task_id = reported
    browser = login(api.app, REPORTER)
    landed = post(browser, f"/tasks/{task_id}/urge", {"message": "快点"}, follow_redirects=True)
    page = text(landed)
    assert landed.request.path == f"/cases/{case}"
    assert "这项任务不由你办理" in page and REPORTER not in page and "may not" not in page


def test_a_refused_photo_upload_answers_a_sentence(reported):
    api, _case, task_id = reported
    browser = login(api.app, REPORTER)
    photo = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64), "a.png")
    answer = post(browser, f"/tasks/{task_id}/attachments", {"file": photo}, headers={"Accept": "application/json"},
                  content_type="multipart/form-data")
    assert answer.status_code == 403
    assert answer.get_json()["message"] == "这项任务不由你办理，你无权查看或操作它"


def test_the_reporter_sees_handling_photos_in_the_case_data_but_not_the_task_files(reported, tmp_path):
    api, case, accept_id = reported
    api.app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    do(api, "staff-dc-dm", case, "社区受理", {"accepted": True})
    handle_id = task(api, "staff-dc-dm", case, "社区处置")["id"]
    staff = login(api.app, "staff-dc-dm")
    for name in ("after.png", "internal.png"):
        photo = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), name)
        ok(post(staff, f"/tasks/{handle_id}/attachments", {"file": photo}, content_type="multipart/form-data"), 302)
    stored = ok(api.get(f"/tasks/{handle_id}/attachments", "staff-dc-dm")).get_json()
    shown, internal = (next(a for a in stored if a["name"] == n) for n in ("after.png", "internal.png"))
    ok(api.complete(handle_id, "staff-dc-dm", {"community_result": "resolved", "handling_note": "已清运",
                                               "after_photos": [shown["reference"]]}))
    resident = login(api.app, REPORTER)
    assert resident.get(f"/files/{shown['reference']}").status_code == 200  # on their status page
    assert resident.get(f"/files/{internal['reference']}").status_code == 403
    assert resident.get(f"/attachments/{internal['id']}").status_code == 403


def test_the_case_api_shows_the_reporter_no_staff_notes_or_names(reported):
    api, case, task_id = reported
    ok(api.post(f"/tasks/{task_id}/claim", "staff-dc-dm"))
    mine = ok(api.get(f"/instances/{case}", REPORTER)).get_json()
    said = str(mine["history"]) + str(mine["tasks"])
    assert "派遣意见" not in said and "staff-dc-dm" not in said and mine["tasks"] == []
    assert {e["kind"] for e in mine["history"]} <= {"instance_started", "case_milestone"}
    staff = ok(api.get(f"/instances/{case}", "dispatcher-dc")).get_json()
    assert "派遣意见" in str(staff["history"]) and staff["tasks"]
