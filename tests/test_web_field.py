"""Field work from the web (issue 15): photos and a location at report time, reports sent once
(Idempotency-Key on the API, a per-form key on the page), location fields that take plain text."""

import io
import re

import pytest

from tests.support import ok, only, with_event_handling
from tests.test_web_pages import csrf, login
from workflow_app.extensions import db
from workflow_app.models import CaseFile, ProcessInstance, StartRequest

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
REPORT = {"condition_code": "B0301-01", "address": "东门小区3幢", "description": "垃圾桶满溢"}


@pytest.fixture
def events(api):
    return with_event_handling(api)


def _count(app, model) -> int:
    with app.app_context():
        n = db.session.query(model).count()
        db.session.remove()
        return n


def test_report_form_has_camera_location_and_a_grouped_searchable_picker(events):
    page = ok(login(events.app, "worker-dc-dm-01").get("/report/event_handling"), 200).data.decode()
    assert 'capture="environment"' in page and 'name="photos__files"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "附件" not in page  # the old hint pointed at a section the report page does not have (defect 5)
    assert 'data-location' in page and 'name="location.lat"' in page and "使用手机定位" in page
    assert 'data-tiles=""' in page  # no map tiles from the internet in tests: plain coordinates
    assert "<textarea id=\"f-location\"" not in page  # no raw JSON box (defect 7)
    assert '<optgroup label="部件 · ' in page and 'data-filter-select="f-condition_code"' in page
    assert page.count(">请选择<") == 1  # defect 14: "请选择" once
    assert 'name="idempotency_key"' in page


def test_a_photo_and_a_typed_position_reach_the_case(events):
    worker = login(events.app, "worker-dc-dm-01")
    token = csrf(worker.get("/report/event_handling").data)
    done = worker.post("/report/event_handling", content_type="multipart/form-data", data={
        **REPORT, "csrf_token": token, "org_unit": "dc-dm-01", "location": "30.27412, 120.15515",
        "idempotency_key": "k-photo-0001", "photos__files": [(io.BytesIO(PNG), "现场.png")]})
    assert done.status_code == 302, done.data.decode()[:500]
    instance_id = int(done.headers["Location"].rsplit("/", 1)[1])
    data = events.instance(instance_id)["data"]
    assert data["location"] == {"lat": 30.27412, "lng": 120.15515}
    [photo] = data["photos"]
    assert re.fullmatch(r"uploads/[0-9a-f]{32}\.png", photo)
    assert ok(worker.get(f"/files/{photo}"), 200).data == PNG
    assert ok(login(events.app, "worker-xs-sq-01").get(f"/files/{photo}"), 403)  # outside the case's unit
    case = ok(worker.get(f"/cases/{instance_id}"), 200).data.decode()
    assert f'/files/{photo}' in case and "30.27412, 120.15515" in case


def test_plain_text_is_a_location(events):
    """Defect 7: "门口东侧" was refused with 格式不对，应为对象."""
    worker = login(events.app, "worker-dc-dm-01")
    token = csrf(worker.get("/report/event_handling").data)
    done = worker.post("/report/event_handling", data={**REPORT, "csrf_token": token, "org_unit": "dc-dm-01",
                                                       "location": "小区东门岗亭旁"})
    assert done.status_code == 302, done.data.decode()[:800]
    instance_id = int(done.headers["Location"].rsplit("/", 1)[1])
    assert events.instance(instance_id)["data"]["location"] == {"text": "小区东门岗亭旁"}
    gps = worker.post("/report/event_handling", data={**REPORT, "csrf_token": token, "org_unit": "dc-dm-01",
                                                      "location.lat": "30.1", "location.lng": "120.2",
                                                      "location.accuracy": "12.4"})
    instance_id = int(ok(gps, 302).headers["Location"].rsplit("/", 1)[1])
    assert events.instance(instance_id)["data"]["location"] == {"lat": 30.1, "lng": 120.2, "accuracy": 12.4}


def test_the_same_report_sent_twice_starts_one_case(events):
    worker = login(events.app, "worker-dc-dm-01")
    token = csrf(worker.get("/report/event_handling").data)
    form = {**REPORT, "csrf_token": token, "org_unit": "dc-dm-01", "idempotency_key": "outbox-0001-abcd"}
    first = ok(worker.post("/report/event_handling", data=form, headers={"Accept": "application/json"}), 201)
    again = ok(worker.post("/report/event_handling", data=form, headers={"Accept": "application/json"}), 200)
    assert first.get_json()["id"] == again.get_json()["id"] and again.get_json()["replayed"] is True
    other = ok(worker.post("/report/event_handling", data={**form, "description": "另一件事"},
                           headers={"Accept": "application/json"}), 409)
    assert other.get_json()["message"]
    assert _count(events.app, ProcessInstance) == 1 and _count(events.app, StartRequest) == 1


def test_the_api_honours_idempotency_key(events):
    body = {"process_key": "event_handling", "org_unit": "dc-dm-01", "data": REPORT}
    headers = {**events.headers("worker-dc-dm-01"), "Idempotency-Key": "api-key-0001"}
    first = ok(events.client.post("/api/v1/instances", json=body, headers=headers), 201)
    again = ok(events.client.post("/api/v1/instances", json=body, headers=headers), 201)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.headers["Idempotent-Replayed"] == "false" and again.headers["Idempotent-Replayed"] == "true"
    changed = {**body, "data": {**REPORT, "address": "西门"}}
    ok(events.client.post("/api/v1/instances", json=changed, headers=headers), 409)
    ok(events.client.post("/api/v1/instances", json=body, headers={**headers, "Idempotency-Key": "bad key!"}), 422)
    # the key is the reporter's own: someone else using it starts their own case
    other = {**events.headers("worker-dc-dm-02"), "Idempotency-Key": "api-key-0001"}
    third = ok(events.client.post("/api/v1/instances", json={**body, "org_unit": "dc-dm-02"}, headers=other), 201)
    assert third.get_json()["id"] != first.get_json()["id"]
    assert _count(events.app, ProcessInstance) == 2


def test_a_refused_photo_keeps_what_was_typed(events):
    worker = login(events.app, "worker-dc-dm-01")
    token = csrf(worker.get("/report/event_handling").data)
    refused = worker.post("/report/event_handling", content_type="multipart/form-data", data={
        **REPORT, "csrf_token": token, "org_unit": "dc-dm-01", "photos__files": [(io.BytesIO(b"MZ..."), "x.exe")]})
    page = ok(refused, 422).data.decode()
    assert "垃圾桶满溢" in page and "东门小区3幢" in page
    assert _count(events.app, ProcessInstance) == 0 and _count(events.app, CaseFile) == 0


def test_task_photos_upload_without_a_reload(events):
    """Defect 6: the task page's photo fields upload by themselves (JSON), the form is not reloaded."""
    ok(events.start("event_handling", "dc-dm-01", {**REPORT, "condition_code": "B0201-01"}, "worker-dc-dm-01"), 201)
    task = only(events.tasks("dispatcher-dc"), "镇街研判")
    dispatcher = login(events.app, "dispatcher-dc")
    token = csrf(dispatcher.get(f"/tasks/{task['id']}").data)
    answer = ok(dispatcher.post(f"/tasks/{task['id']}/attachments", headers={"Accept": "application/json"},
                                data={"csrf_token": token, "file": (io.BytesIO(PNG), "p.png")}), 201).get_json()
    assert answer["reference"].startswith("uploads/") and answer["url"].startswith("/attachments/")
    bad = ok(dispatcher.post(f"/tasks/{task['id']}/attachments", headers={"Accept": "application/json"},
                             data={"csrf_token": token, "file": (io.BytesIO(b"nope"), "p.txt")}), 422).get_json()
    assert "JPEG" in bad["message"] or "只接受" in bad["message"]


def test_the_duplicate_hint_is_shown_to_the_reporter(events):
    first = ok(events.start("event_handling", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()["id"]
    query = {"condition_code": "B0301-01", "org_unit": "dc-dm-01", "address": "东门小区3幢"}
    worker = ok(login(events.app, "staff-dc-dm").get("/report/event_handling/similar", query_string=query),
                200).data.decode()
    assert "是否与这些事件相同？" in worker and f"/cases/{first}" in worker  # a colleague may open it
    stranger = ok(login(events.app, "resident-dc-dm").get("/report/event_handling/similar", query_string=query),
                  200).data.decode()
    assert "近 7 天附近已有 1 件同类事件上报" in stranger and f"/cases/{first}" not in stranger  # not theirs to open
    elsewhere = ok(login(events.app, "worker-dc-dm-01").get("/report/event_handling/similar", query_string={
        **query, "condition_code": "E0101-01"}), 200).data.decode()
    assert "是否与这些事件相同" not in elsewhere
