"""Web pages through the Flask test client: inbox with filters and colours, the task page's form
with validation errors kept in place, claim/release/delegate, comments, clock actions, the case
page with its diagram route, language switch, error pages. Helpers here are shared by the other
test_web_* files."""

import re
from pathlib import Path

import pytest

from tests.support import bundle, ok, only, sample_bundle

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路边垃圾堆放"}


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def login(app, username: str):
    browser = app.test_client()
    token = csrf(browser.get("/login").data)
    response = browser.post("/login", data={"username": username, "password": "demo123", "csrf_token": token})
    assert response.status_code == 302, response.data
    browser.token = csrf(browser.get("/inbox").data)
    return browser


def post(browser, path: str, data: dict | None = None, **kwargs):
    return browser.post(path, data={"csrf_token": browser.token, **(data or {})}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def case(api):
    ok(api.deploy(sample_bundle()), 201)
    instance = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()
    return instance["id"], only(api.tasks("staff-dc-dm"), "社区处置")["id"]


def test_every_page_needs_a_login(api, case):
    instance_id, task_id = case
    browser = api.app.test_client()
    for path in ("/inbox", f"/tasks/{task_id}", f"/cases/{instance_id}", "/supervision", "/designer",
                 f"/cases/{instance_id}/diagram/minor_event.bpmn", "/notifications"):
        response = browser.get(path)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], path


def test_inbox_lists_filters_and_colours(api, case):
    _, task_id = case
    browser = login(api.app, "staff-dc-dm")
    page = text(browser.get("/inbox"))
    assert "社区处置" in page and "路边垃圾堆放" in page and 'class="card task green"' in page
    assert "待认领" in page and "小事快办" in page  # the process filter shows names
    assert "路边垃圾堆放" not in text(browser.get("/inbox?q=不存在的事"))
    assert "路边垃圾堆放" not in text(browser.get("/inbox?state=mine"))
    assert "路边垃圾堆放" in text(browser.get("/inbox?state=unclaimed&process=minor_event"))
    assert "路边垃圾堆放" not in text(browser.get("/inbox?overdue=1"))
    unknown = text(browser.get("/inbox?org_unit=nowhere"))
    assert "没有编码为 nowhere 的单位" in unknown and "路边垃圾堆放" in unknown
    fragment = text(browser.get("/inbox?q=垃圾", headers={"HX-Request": "true"}))
    assert "<html" not in fragment and "路边垃圾堆放" in fragment


def test_task_form_shows_errors_in_place_and_keeps_what_was_typed(api, case):
    instance_id, task_id = case
    browser = login(api.app, "staff-dc-dm")
    page = text(browser.get(f"/tasks/{task_id}"))
    assert "处置反馈" in page and "处置情况" in page and "路边垃圾堆放" in page  # read-only field shown
    assert 'name="description"' not in page  # read-only: never an input
    bad = post(browser, f"/tasks/{task_id}/complete", {"handling_note": "x"})
    assert bad.status_code == 422
    body = text(bad)
    field = body[body.index('data-field="handling_note"'):]
    field = field[:field.index("</div>\n", field.index("field-errors"))]
    assert "内容太短" in field and ">x</textarea>" in field
    missing = text(post(browser, f"/tasks/{task_id}/complete", {}))
    assert "此项必填" in missing
    done = post(browser, f"/tasks/{task_id}/complete", {"handling_note": "已清理完毕"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/inbox")
    assert "已提交" in text(browser.get("/inbox"))
    verify = only(api.tasks("worker-dc-dm-01"), "核查结案")
    worker = login(api.app, "worker-dc-dm-01")
    form = text(worker.get(f"/tasks/{verify['id']}"))
    assert "现场核查通过" in form and 'value="true"' in form and "已清理完毕" in form
    closed = post(worker, f"/tasks/{verify['id']}/complete", {"verified": "true", "verify_note": "现场已核实"})
    assert closed.status_code == 302
    assert api.instance(instance_id)["status"] == "completed"


def test_english_labels_and_language_switch(api, case):
    _, task_id = case
    browser = login(api.app, "staff-dc-dm")
    english = text(browser.get(f"/tasks/{task_id}?lang=en"))
    assert "Handling report" in english and "What was done" in english and "Claim" in english
    assert '<html lang="en">' in english
    assert "My tasks" in text(browser.get("/inbox"))  # remembered in the session
    bad = text(post(browser, f"/tasks/{task_id}/complete", {"handling_note": "x"}))
    assert "is too short" in bad  # the service's own message on English pages
    assert "我的待办" in text(browser.get("/inbox?lang=zh"))


def test_claim_release_delegate_and_comment(api, case):
    _, task_id = case
    api.app.test_client()
    head = login(api.app, "head-dc-dm")
    staff = login(api.app, "staff-dc-dm")
    assert post(staff, f"/tasks/{task_id}/claim").status_code == 302
    page = text(staff.get(f"/tasks/{task_id}"))
    assert "已认领" in page and "释放" in page
    assert post(staff, f"/tasks/{task_id}/release").status_code == 302
    assert "任务回到待认领" in text(staff.get(f"/tasks/{task_id}"))
    refused = post(staff, f"/tasks/{task_id}/delegate", {"username": "worker-xs-sq-01"})
    assert refused.status_code == 302
    assert "worker-xs-sq-01 不能办理该任务" in text(staff.get(f"/tasks/{task_id}"))
    assert post(staff, f"/tasks/{task_id}/comments", {"text": "已联系物业"}).status_code == 302
    assert post(staff, f"/tasks/{task_id}/comments", {"text": "  "}).status_code == 302  # refused with a message
    page = text(staff.get(f"/tasks/{task_id}"))
    assert "已联系物业" in page and "请填写意见内容" in page
    assert "挂账" not in page  # staff may not pause
    supervised = text(head.get(f"/tasks/{task_id}"))
    assert "挂账（暂停计时）" in supervised and "催办" in supervised


def test_pause_resume_and_urge_from_the_task_page(api, case):
    _, task_id = case
    head = login(api.app, "head-dc-dm")
    assert "挂账须填写理由" in text(head.get(post(head, f"/tasks/{task_id}/pause", {"reason": " "})
                                              .headers["Location"]))
    assert post(head, f"/tasks/{task_id}/pause", {"reason": "等待供电部门检修"}).status_code == 302
    page = text(head.get(f"/tasks/{task_id}"))
    assert "已挂账" in page and "恢复计时" in page and "chip paused" in page
    assert post(head, f"/tasks/{task_id}/resume").status_code == 302
    assert post(head, f"/tasks/{task_id}/urge", {"message": "请今天处理"}).status_code == 302
    page = text(head.get(f"/tasks/{task_id}"))
    assert "已催办" in page and "chip green" in page
    notes = text(login(api.app, "staff-dc-dm").get("/notifications"))
    assert "催办" in notes and "请今天处理" in notes


def test_extension_request_starts_the_approval(api, case):
    _, task_id = case
    ok(api.deploy(bundle(Path(api.app.config["PROCESSES_DIR"]) / "sla_extension")), 201)
    staff = login(api.app, "staff-dc-dm")
    response = post(staff, f"/tasks/{task_id}/extension", {"amount": "1", "unit": "work_days", "reason": "需协调物业"})
    assert response.status_code == 302
    assert "延期申请已提交" in text(staff.get(response.headers["Location"]))
    assert only(api.tasks("head-dc-dm"), "延期审批")
    bad = post(staff, f"/tasks/{task_id}/extension", {"amount": "abc", "unit": "work_days", "reason": "x"})
    assert bad.status_code == 302  # refused with a message on the task page
    assert "申请延期须填写大于零的时长和理由" in text(staff.get(bad.headers["Location"]))


def test_case_page_timeline_diagram_and_access(api, case):
    instance_id, task_id = case
    browser = login(api.app, "staff-dc-dm")
    page = text(browser.get(f"/cases/{instance_id}"))
    assert "小事快办" in page and "发起上报" in page and "社区超时" in page and "上报人" in page
    assert "community_handle" in page and "m-active" in page and "data-bpmn-url" in page
    xml = browser.get(f"/cases/{instance_id}/diagram/minor_event.bpmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and b"<bpmn:definitions" in xml.data
    assert browser.get(f"/cases/{instance_id}/diagram/minor_event_grading.dmn").status_code == 404
    assert browser.get(f"/cases/{instance_id}/diagram/nope.bpmn").status_code == 404
    outsider = login(api.app, "staff-xs-sq")
    assert outsider.get(f"/cases/{instance_id}").status_code == 403
    assert outsider.get(f"/cases/{instance_id}/diagram/minor_event.bpmn").status_code == 403
    forbidden = outsider.get(f"/tasks/{task_id}")
    assert forbidden.status_code == 403 and "无权访问" in text(forbidden)
    assert outsider.get("/tasks/999999").status_code == 404
    assert post(outsider, f"/tasks/{task_id}/claim").status_code == 302  # refused with a message, no 500


def test_posts_need_the_csrf_token(api, case):
    _, task_id = case
    browser = login(api.app, "staff-dc-dm")
    response = browser.post(f"/tasks/{task_id}/claim")
    assert response.status_code == 400 and "安全令牌" in text(response)


def test_vendor_route_serves_only_the_whitelist(app):
    browser = app.test_client()
    assert browser.get("/vendor/bpmn-js/package.json").status_code == 404
    assert browser.get("/vendor/left-pad/index.js").status_code == 404
    assert browser.get("/vendor/bpmn-js/../../pyproject.toml").status_code == 404


def test_vendor_route_explains_a_missing_node_modules(make_app, tmp_path):
    app = make_app(NODE_MODULES_DIR=str(tmp_path))
    response = app.test_client().get("/vendor/htmx.org/dist/htmx.min.js")
    assert response.status_code == 503 and b"npm install" in response.data


def test_a_nullable_number_posted_from_a_page_is_a_number():
    """The joint meeting's decision form prefills funding (``{"type": ["number", "null"]}``): the
    posted text must come back as a number, not be refused as "'6000' is not of type 'number'"."""
    from werkzeug.datastructures import MultiDict

    from workflow_app.web import formrender

    document = {"type": "object", "properties": {
        "funding": {"type": ["number", "null"], "title": "经费"}, "staff": {"type": ["integer", "null"]},
        "note": {"type": ["string", "null"]}}}
    data = formrender.parse(document, MultiDict({"funding": "6000", "staff": "2", "note": "同意"}))
    assert data == {"funding": 6000, "staff": 2, "note": "同意"}
    assert formrender.widget_of(document["properties"]["funding"]) == "number"
