"""Issue 10, finding 5: hostile input answers 4xx with a clear message, never 500 — NUL bytes,
unpaired surrogates, over-deep or malformed JSON, ids beyond the id columns, huge pages, NaN."""

import io
import json

import pytest

from tests.support import ok, only, sample_bundle
from tests.test_web_pages import REPORT, login, post
from workflow_app.extensions import db
from workflow_app.models import ProcessInstance


@pytest.fixture
def case(api):
    ok(api.deploy(sample_bundle()), 201)
    started = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    return started.get_json()["id"], task["id"]


def strict(response):
    def refuse(name):
        raise AssertionError(f"{name} in a JSON answer")

    return json.loads(response.data, parse_constant=refuse)


def assert_refused(response, *words, status=(400, 422)):
    assert response.status_code in status, (response.status_code, response.data[:300])
    body = strict(response)
    assert {"code", "status", "reason", "message", "errors"} <= set(body)
    for word in words:
        assert word in json.dumps(body, ensure_ascii=False), body
    return body


def test_nul_bytes_in_bodies_are_refused_naming_the_field(api, case):
    instance_id, task_id = case
    calls = [
        ("/instances", {"process_key": "minor_event", "org_unit": "dc-dm-01", "data": {**REPORT, "address": "a\x00b"}}),
        ("/instances", {"process_key": "minor\x00", "org_unit": "dc-dm-01", "data": {}}),
        (f"/tasks/{task_id}/comments", {"text": "看过了\x00"}),
        (f"/tasks/{task_id}/attachments", {"name": "a\x00.png", "reference": "https://example.test/a.png"}),
        (f"/tasks/{task_id}/delegate", {"username": "staff\x00"}),
        (f"/tasks/{task_id}/complete", {"data": {"handling_note\x00": "x"}}),
    ]
    for path, body in calls:
        assert_refused(api.post(path, "staff-dc-dm", json=body), "NUL")
    assert api.get(f"/tasks/{task_id}/comments", "staff-dc-dm").get_json() == []


def test_nul_bytes_in_query_and_path_parameters_are_refused(api, case):
    for path in ("/tasks?process_key=a%00b", "/inbox?q=%00", "/inbox?org_unit=dc%00", "/households?org_unit=%00",
                 "/catalogue/a%00b", "/definitions/a%00b/versions", "/supervision/summary?org_unit=%00"):
        assert_refused(api.get(path, "admin"), "NUL")


def test_nul_bytes_and_bad_text_in_imports_are_refused(api):
    for content in (b"code,org_unit,address\nH1,dc-dm-01,a\x00b\n", "code\nH1\ud800".encode("utf-8", "surrogatepass")):
        upload = {"file": (io.BytesIO(content), "households.csv")}
        response = api.client.post("/api/v1/org/import/households", headers=api.headers("admin"), data=upload,
                                   content_type="multipart/form-data")
        assert_refused(response)
    upload = {"file": (io.BytesIO(b'[{"code": "H1", "org_unit": "dc-dm-01", "address": "\\u0000"}]'), "h.json")}
    response = api.client.post("/api/v1/org/import/households", headers=api.headers("admin"), data=upload,
                               content_type="multipart/form-data")
    assert_refused(response, "NUL")
    upload = {"file": (io.BytesIO(b"code\nH1\n"), "evil\x00.csv")}
    response = api.client.post("/api/v1/org/import/households", headers=api.headers("admin"), data=upload,
                               content_type="multipart/form-data")
    assert_refused(response, "NUL")


def test_a_bundle_file_name_with_nul_is_refused(api):
    response = api.deploy({"minor_event.bpmn\x00.png": sample_bundle()["minor_event.bpmn"]})
    assert_refused(response, "NUL")


def _raw(api, path, body: bytes, user="admin", method="post"):
    return getattr(api.client, method)(f"/api/v1{path}", headers=api.headers(user), data=body,
                                       content_type="application/json")


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"data": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b', "process_key": "x", "org_unit": "y"}',
    b'{"process_key": "\\ud800", "org_unit": "dc-dm-01"}',
    b'{"process_key": "a", "org_unit": "dc-dm-01", "data": {"\\udfff": 1}}',
    b'{"process_key": ',
    b"\xff\xfe{}",
    b'{"process_key": "a", "org_unit": "b", "data": {"x": NaN}}',
    b'{"process_key": "a", "org_unit": "b", "data": {"x": 1e999}}',
    b'{"process_key": "a", "org_unit": "b", "data": {"x": ' + b"9" * 30 + b"}}",
])
def test_malformed_deep_or_unstorable_json_is_a_400(api, body):
    body_json = assert_refused(_raw(api, "/instances", body), status=(400,))
    assert body_json["reason"] == "bad_input"
    assert api.get("/auth/whoami", "admin").status_code == 200


def test_web_forms_with_nul_are_refused_with_a_page(api, case):
    _, task_id = case
    staff = login(api.app, "staff-dc-dm")
    response = post(staff, f"/tasks/{task_id}/comments", {"text": "看过\x00了"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert staff.get(f"/tasks/{task_id}").status_code == 200


@pytest.mark.parametrize("path", ["/instances/2147483648", "/instances/99999999999999999999", "/tasks/2147483648",
                                  "/tasks/9223372036854775808/comments", "/notifications/2147483648/read",
                                  "/auth/tokens/2147483648"])
def test_ids_beyond_the_id_columns_are_not_found(api, path):
    method = api.post if path.endswith("/read") else api.get
    response = method(path, "admin")
    assert response.status_code in (404, 405), (path, response.status_code)
    assert response.status_code != 500


@pytest.mark.parametrize("query", ["/inbox?page=175009470067354488008605696", "/inbox?page=10001&per_page=100",
                                   "/supervision/breaches?page=2147483648", "/tasks?instance_id=2147483648",
                                   "/tasks?instance_id=-1", "/inbox?per_page=1000000"])
def test_huge_pages_and_query_ids_are_field_errors(api, query):
    body = assert_refused(api.get(query, "admin"), status=(422,))
    assert body["errors"]


def test_nan_never_reaches_an_answer(api, case):
    instance_id, task_id = case
    with api.app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        instance.data = {**instance.data, "score": float("nan"), "ratio": float("inf")}
        db.session.commit()
    body = strict(api.get(f"/instances/{instance_id}", "admin"))
    assert body["data"]["score"] is None and body["data"]["ratio"] is None
    assert strict(api.get(f"/tasks/{task_id}", "staff-dc-dm"))["id"] == task_id


def test_pages_beyond_any_offset_are_a_page_not_a_server_error(api):
    """The web inbox and board took any integer as a page: 10^23 reached the database as an OFFSET
    it refused (500). Pages are bounded in the services, whoever calls them."""
    from tests.test_web_pages import login

    huge = "9" * 23
    browser = login(api.app, "worker-dc-dm-01")
    assert browser.get(f"/inbox?page={huge}").status_code == 200
    supervisor = login(api.app, "supervisor")
    assert supervisor.get(f"/supervision?page={huge}").status_code in (200, 302)
