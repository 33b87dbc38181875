"""The lesser defects of issue 15 (item 14), each as it was found."""

import io
from pathlib import Path

from tests.support import ok, only
from tests.test_web_pages import case, login, post, text  # noqa: F401 - the case fixture
from workflow_app.web import messages
from workflow_app.web.common import filesize

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 457  # 465 bytes


def test_the_approval_task_has_a_title_and_no_extension_of_itself(api, case):  # noqa: F811
    _, task_id = case
    ok(api.deploy(__import__("tests.support", fromlist=["bundle"]).bundle(
        Path(api.app.config["PROCESSES_DIR"]) / "sla_extension")), 201)
    staff = login(api.app, "staff-dc-dm")
    ok(post(staff, f"/tasks/{task_id}/extension", {"amount": "1", "unit": "work_days", "reason": "需协调物业"}), 302)
    approval = only(api.tasks("head-dc-dm"), "延期审批")
    assert "#None" not in (approval["title"] or "")
    page = text(login(api.app, "head-dc-dm").get(f"/tasks/{approval['id']}"))
    assert "#None" not in page and "申请延期" not in page


def test_validator_messages_are_plain_in_both_languages(app):
    raw = "'abc' does not match '^[0-9+\\\\-() ]{5,20}$'"
    with app.test_request_context("/?lang=zh"):
        assert messages.localise(raw) == "格式不对"
        assert messages.localise("A multiinstance task failed in the loop") == "流程某一步运行出错，已通知管理员"
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert messages.localise(raw) == "has the wrong format"


def test_a_comment_without_text_is_said_once(api, case):  # noqa: F811
    _, task_id = case
    staff = login(api.app, "staff-dc-dm")
    answer = post(staff, f"/tasks/{task_id}/comments", {"text": ""})
    page = text(staff.get(answer.headers["Location"]))
    assert "请填写意见内容" in page and "text:" not in page and "不能为空" not in page


def test_unknown_urls_get_a_page_and_the_api_keeps_its_json(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html" and "未找到" in page.get_data(as_text=True)
    api = client.get("/api/v1/no/such/thing")
    assert api.status_code == 404 and api.is_json and api.get_json()["code"] == 404
    wrong = client.put("/login")
    assert wrong.status_code == 405 and wrong.mimetype == "text/html"
    assert client.put("/api/v1/auth/token").is_json


def test_small_files_are_not_zero_kb(api, case):  # noqa: F811
    _, task_id = case
    assert filesize(465) == "465 B" and filesize(2048) == "2.0 KB" and filesize(3 * 1048576) == "3.0 MB"
    staff = login(api.app, "staff-dc-dm")
    upload = {"csrf_token": staff.token, "file": (io.BytesIO(PNG), "p.png")}
    ok(staff.post(f"/tasks/{task_id}/attachments", data=upload), 302)
    page = text(staff.get(f"/tasks/{task_id}"))
    assert "465 B" in page and "0 KB" not in page


def test_english_pages_say_report_in_english(api, case):  # noqa: F811
    staff = login(api.app, "worker-dc-dm-01")
    listing = text(staff.get("/report?lang=en"))
    assert "My reports" in listing and ">上报<" not in listing
