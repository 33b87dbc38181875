"""Attachment uploads from the task page: type sniffing, size limit, random server-side names,
no path tricks, served only after an access check; photos picked into a form."""

import io
from pathlib import Path

import pytest

from tests.support import ok, only, sample_bundle
from tests.test_web_pages import REPORT, login, post, text
from workflow_app.inbox import files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def uploads(api, tmp_path) -> Path:
    api.app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def task_id(api, uploads):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    return only(api.tasks("staff-dc-dm"), "社区处置")["id"]


def upload(browser, task_id, content: bytes, name: str):
    return post(browser, f"/tasks/{task_id}/attachments", {"file": (io.BytesIO(content), name)},
                content_type="multipart/form-data")


def test_upload_stores_under_a_random_name_and_serves_after_a_check(api, task_id, uploads):
    staff = login(api.app, "staff-dc-dm")
    assert upload(staff, task_id, PNG, "../../etc/现场.png").status_code == 302
    page = text(staff.get(f"/tasks/{task_id}"))
    assert "附件已上传" in page and "现场.png" in page and "etc" not in page
    stored = list(uploads.iterdir())
    assert len(stored) == 1 and files.KEY.match(f"uploads/{stored[0].name}")
    attachment = staff.get("/attachments/1")
    assert attachment.status_code == 200 and attachment.data == PNG and attachment.mimetype == "image/png"
    assert attachment.headers["X-Content-Type-Options"] == "nosniff"
    assert staff.get(f"/files/uploads/{stored[0].name}").data == PNG
    outsider = login(api.app, "staff-xs-sq")
    assert outsider.get("/attachments/1").status_code == 403
    assert outsider.get(f"/files/uploads/{stored[0].name}").status_code == 403
    assert staff.get("/files/uploads/../../instance/workflow.db").status_code == 404
    assert staff.get("/files/uploads/0123456789abcdef0123456789abcdef.png").status_code == 404
    pdf = upload(staff, task_id, PDF, "报告.pdf")
    assert pdf.status_code == 302
    download = staff.get("/attachments/2")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]


def test_upload_refuses_other_types_empty_and_large_files(api, task_id, uploads):
    staff = login(api.app, "staff-dc-dm")
    assert upload(staff, task_id, b"<script>alert(1)</script>", "photo.png").status_code == 302  # refused: flash
    assert "只接受 JPEG、PNG、WebP 图片和 PDF 文件" in text(staff.get(f"/tasks/{task_id}"))
    assert upload(staff, task_id, b"", "empty.png").status_code == 302
    assert post(staff, f"/tasks/{task_id}/attachments", {}, content_type="multipart/form-data").status_code == 302
    page = text(staff.get(f"/tasks/{task_id}"))
    assert "请选择文件" in page
    api.app.config["UPLOAD_MAX_BYTES"] = 1024
    assert upload(staff, task_id, PNG + b"\x00" * 2048, "big.png").status_code == 302
    assert "文件超过 1 KB" in text(staff.get(f"/tasks/{task_id}"))
    assert upload(login(api.app, "staff-xs-sq"), task_id, PNG, "x.png").status_code == 302  # refused: 403 flash
    assert not uploads.exists() or not list(uploads.iterdir())


def test_uploaded_photos_are_picked_into_the_form(api, task_id):
    staff = login(api.app, "staff-dc-dm")
    assert upload(staff, task_id, PNG, "after.png").status_code == 302
    page = text(staff.get(f"/tasks/{task_id}"))
    assert "附件已上传" in page
    reference = page.split('name="after_photos" value="')[1].split('"')[0]
    assert files.KEY.match(reference)
    done = post(staff, f"/tasks/{task_id}/complete", {"handling_note": "已清理", "after_photos": reference})
    assert done.status_code == 302
    instance = api.instance(1)
    assert instance["data"]["after_photos"] == [reference]
    case_page = text(staff.get("/cases/1"))
    assert f"/files/{reference}" in case_page
