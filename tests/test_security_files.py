"""Issue 10, finding 4: a stored file belongs to the task and case it was uploaded to. Its key cannot
be attached elsewhere (not through the API, not by re-use); the server decides how it is served from
the bytes themselves: raster images inline, everything else a download, always ``nosniff``."""

import io

import pytest

from tests.support import ok, only, sample_bundle
from tests.test_web_files import PDF, PNG, upload
from tests.test_web_pages import REPORT, login
from workflow_app import clock
from workflow_app.extensions import db
from workflow_app.models import HumanTask, TaskAttachment

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


@pytest.fixture
def two_towns(api, tmp_path):
    api.app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    ok(api.start("minor_event", "xs-sq-01", REPORT, "worker-xs-sq-01"), 201)
    mine = only(api.tasks("staff-dc-dm"), "社区处置")["id"]
    theirs = only(api.tasks("staff-xs-sq"), "社区处置")["id"]
    staff = login(api.app, "staff-dc-dm")
    assert upload(staff, mine, PNG, "现场.png").status_code == 302
    [attachment] = ok(api.get(f"/tasks/{mine}/attachments", "staff-dc-dm"), 200).get_json()
    key = attachment["reference"]
    return mine, theirs, key


def test_a_stored_key_cannot_be_attached_to_another_task(api, two_towns):
    mine, theirs, key = two_towns
    for reference in (key, key.upper(), "uploads/0123456789abcdef0123456789abcdef.png"):
        response = api.post(f"/tasks/{theirs}/attachments", "staff-xs-sq",
                            json={"name": "x.svg", "reference": reference, "content_type": "image/svg+xml"})
        assert response.status_code == 422 and "reference" in response.get_json()["errors"]
    assert api.get(f"/tasks/{theirs}/attachments", "staff-xs-sq").get_json() == []
    outsider = login(api.app, "staff-xs-sq")
    assert outsider.get(f"/files/{key}").status_code == 403


def test_a_re_used_key_from_before_is_not_served(api, two_towns):
    """Rows written before the fix (a key attached through the API) stay text, and are never served."""
    mine, theirs, key = two_towns
    with api.app.app_context():
        task = db.session.get(HumanTask, theirs)
        stolen = TaskAttachment(task_id=theirs, instance_id=task.instance_id, name="x.svg", reference=key,
                                content_type="image/svg+xml", uploaded_by_id=task.instance.started_by_id,
                                at=clock.now())
        db.session.add(stolen)
        db.session.commit()
        stolen_id = stolen.id
    outsider = login(api.app, "staff-xs-sq")
    response = outsider.get(f"/attachments/{stolen_id}")
    assert response.status_code == 404 and response.data != PNG
    page = outsider.get(f"/tasks/{theirs}").get_data(as_text=True)
    assert f"/attachments/{stolen_id}\" target" not in page  # not shown as a picture either


def test_how_a_file_is_served_comes_from_its_bytes(api, two_towns):
    mine, _, key = two_towns
    staff = login(api.app, "staff-dc-dm")
    with api.app.app_context():
        attachment = db.session.execute(db.select(TaskAttachment).where(TaskAttachment.storage_key == key)).scalar_one()
        attachment.content_type = "image/svg+xml"  # a tampered or old row: the bytes decide, not the column
        db.session.commit()
        attachment_id = attachment.id
    shown = staff.get(f"/attachments/{attachment_id}")
    assert shown.mimetype == "image/png" and shown.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in shown.headers.get("Content-Disposition", "inline")
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    assert upload(staff, mine, PDF, "报告.pdf").status_code == 302
    pdf = staff.get(f"/attachments/{attachment_id + 1}")
    assert pdf.headers["Content-Disposition"].startswith("attachment") and pdf.mimetype == "application/pdf"
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("content,name", [(SVG, "x.svg"), (SVG, "x.png"), (b"<html><script>1</script>", "a.html"),
                                          (b"GIF89a" + b"\x00" * 20, "a.gif"), (b"\xef\xbb\xbf<svg/>", "b.jpg")])
def test_svg_and_other_active_content_is_never_stored(api, two_towns, content, name):
    mine, _, _ = two_towns
    staff = login(api.app, "staff-dc-dm")
    before = len(api.get(f"/tasks/{mine}/attachments", "staff-dc-dm").get_json())
    assert upload(staff, mine, content, name).status_code == 302  # refused with a message
    assert "只接受 JPEG、PNG、WebP 图片和 PDF 文件" in staff.get(f"/tasks/{mine}").get_data(as_text=True)
    assert len(api.get(f"/tasks/{mine}/attachments", "staff-dc-dm").get_json()) == before


def test_references_get_no_client_chosen_type(api, two_towns):
    mine, _, _ = two_towns
    response = api.post(f"/tasks/{mine}/attachments", "staff-dc-dm",
                        json={"name": "map.svg", "reference": "https://example.test/map.svg",
                              "content_type": "image/svg+xml"})
    assert response.status_code == 201 and response.get_json()["content_type"] is None
    reference_id = response.get_json()["id"]
    page = login(api.app, "staff-dc-dm").get(f"/tasks/{mine}").get_data(as_text=True)
    assert f'<img src="/attachments/{reference_id}"' not in page
    assert login(api.app, "staff-dc-dm").get(f"/attachments/{reference_id}").status_code == 404


def test_upload_to_a_task_of_another_town_is_refused(api, two_towns):
    _, theirs, _ = two_towns
    staff = login(api.app, "staff-dc-dm")
    assert upload(staff, theirs, PNG, "x.png").status_code == 302  # refused with a message
    assert api.get(f"/tasks/{theirs}/attachments", "staff-xs-sq").get_json() == []
    assert io  # the module's upload helper posts multipart bodies
