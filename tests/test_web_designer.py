"""The process designer's pages: list, upload with errors in place, edit-and-deploy, compare,
retire, locality variants; only designers and administrators get in."""

import io

from tests.support import sample_bundle
from tests.test_web_pages import login, post, text


def _deploy_sample(api):
    assert api.deploy(sample_bundle()).status_code == 201


def test_only_designers_may_open_the_designer(api):
    _deploy_sample(api)
    assert login(api.app, "staff-dc-dm").get("/designer").status_code == 403
    assert login(api.app, "staff-dc-dm").get("/designer/minor_event/versions/1/files/minor_event.bpmn") \
        .status_code == 403
    page = text(login(api.app, "designer").get("/designer"))
    assert "小事快办" in page and "上传新版本" in page


def draft_id(response) -> int:
    assert response.status_code == 302, response.data
    location = response.headers["Location"]
    assert "/designer/drafts/" in location, location
    return int(location.rsplit("/", 1)[1])


def publish(browser, draft: int, comment: str):
    return post(browser, f"/designer/drafts/{draft}/publish", {"comment": comment})


REPORT = '{"category": "environment", "severity": "minor", "address": "东门路", "description": "路边垃圾"}'


def test_run(browser, draft: int, data: str = REPORT) -> None:
    """Play the draft's test run to the end from the pages (publishing needs one)."""
    assert post(browser, f"/designer/drafts/{draft}/test/start", {"org_unit": "dc-dm-01", "data": data}) \
        .status_code == 302
    assert post(browser, f"/designer/drafts/{draft}/test/auto").status_code == 302
    assert 'data-status="completed"' in text(browser.get(f"/designer/drafts/{draft}/test"))


test_run.__test__ = False  # a helper, not a test


def test_upload_shows_validation_errors_with_file_and_line(api):
    """Defect 3: a bad upload never goes live: it is a draft that shows what is wrong."""
    browser = login(api.app, "designer")
    broken = sample_bundle()["minor_event.bpmn"].replace(b'"PT', b'PT').replace(
        b'<bpmn:conditionExpression>handling_level == "grid"</bpmn:conditionExpression>', b"")
    files = {"files": [(io.BytesIO(broken), "minor_event.bpmn"),
                       (io.BytesIO(sample_bundle()["minor_event_grading.dmn"]), "minor_event_grading.dmn")]}
    draft = draft_id(post(browser, "/designer/upload", {**files, "comment": "坏的"},
                          content_type="multipart/form-data"))
    body = text(browser.get(f"/designer/drafts/{draft}"))
    assert "流程包未通过校验" in body and "<code>minor_event.bpmn</code>" in body and "第 " in body
    assert "校验未通过" in body
    refused = publish(browser, draft, "坏的")
    assert refused.status_code == 422 and "流程包未通过校验" in text(refused)
    assert api.get("/definitions", "designer").get_json() == []  # nothing went live


def test_upload_publish_view_compare_retire_and_variant(api):
    browser = login(api.app, "designer")
    files = {"files": [(io.BytesIO(c), n) for n, c in sample_bundle().items()]}
    draft = draft_id(post(browser, "/designer/upload", {**files, "comment": "首版"},
                          content_type="multipart/form-data"))
    assert "校验通过" in text(browser.get(f"/designer/drafts/{draft}"))
    assert browser.get("/designer/minor_event").status_code == 404  # a draft is not a version
    preview = text(browser.get(f"/designer/drafts/{draft}/publish"))
    assert "新增文件" in preview and "minor_event_grading.dmn" in preview
    no_comment = publish(browser, draft, "")
    assert no_comment.status_code == 422
    untested = publish(browser, draft, "首版")
    assert untested.status_code == 409 and "请先试运行此版本并通过" in text(untested)
    test_run(browser, draft)
    published = publish(browser, draft, "首版")
    assert published.status_code == 302 and published.headers["Location"].endswith("/designer/minor_event")
    page = text(browser.get("/designer/minor_event"))
    assert "已发布 minor_event v1" in page and "首版" in page
    editor = text(browser.get("/designer/minor_event/versions/1/edit"))
    assert "bpmn-modeler.production.min.js" in editor and "spiffworkflow-moddle.js" in editor
    assert "&lt;bpmn:definitions" in editor
    xml = sample_bundle()["minor_event.bpmn"].decode().replace('name="社区处置"', 'name="社区处置（改）"')
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft",
                          {"file": "minor_event.bpmn", "xml": xml, "target": ""}))
    assert "v2" not in text(browser.get("/designer/minor_event"))  # saved, not live
    assert "community_handle" in text(browser.get(f"/designer/drafts/{draft}/publish"))
    test_run(browser, draft)
    assert publish(browser, draft, "改名").status_code == 302
    page = text(browser.get("/designer/minor_event"))
    assert "v2" in page and "改名" in page
    assert browser.get("/designer/minor_event/versions/2/files/minor_event.bpmn").data.decode() == xml
    compared = text(browser.get("/designer/minor_event/compare?a=:1&b=:2"))
    assert "修改 (1)" in compared and "community_handle" in compared and "新增 (0)" in compared
    broken = xml.replace('"PT', "PT").replace("<bpmn:process", "<bpmn:nope")
    draft = draft_id(post(browser, "/designer/minor_event/versions/2/draft",
                          {"file": "minor_event.bpmn", "xml": broken, "target": ""}))
    assert "流程包未通过校验" in text(browser.get(f"/designer/drafts/{draft}"))
    assert publish(browser, draft, "坏").status_code == 422
    assert post(browser, f"/designer/drafts/{draft}/discard").status_code == 302
    assert post(browser, "/designer/minor_event/versions/2/retire", {"locality": ""}).status_code == 302
    assert "已停用 minor_event v2" in text(browser.get("/designer/minor_event"))
    assert post(browser, "/designer/minor_event/variant", {"org_unit": "xs"}).status_code == 302
    page = text(browser.get("/designer/minor_event"))
    assert "<h2>西山镇</h2>" in page and "基于全县通用版 v1" in page
    assert post(browser, "/designer/minor_event/variant", {"org_unit": "nowhere"}).status_code == 302  # refused
    assert "没有编码为 nowhere 的单位" in text(browser.get("/designer/minor_event"))
    assert browser.get("/designer/minor_event/versions/1?locality=xs").status_code == 200
    assert browser.get("/designer/nope").status_code == 404


def test_only_designers_may_work_on_drafts(api):
    _deploy_sample(api)
    browser = login(api.app, "designer")
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft"))
    staff = login(api.app, "staff-dc-dm")
    for path in (f"/designer/drafts/{draft}", f"/designer/drafts/{draft}/publish", f"/designer/drafts/{draft}/test"):
        assert staff.get(path).status_code == 403
    assert publish(staff, draft, "我来发布").status_code == 403
    started = post(staff, f"/designer/drafts/{draft}/test/start", {"org_unit": "dc-dm-01", "data": "{}"})
    assert started.status_code == 403


def test_compare_covers_dmn_and_forms(api):
    """Defect 13: compare said 没有差别 for bundles that behave differently (only the DMN changed)."""
    _deploy_sample(api)
    dmn = sample_bundle()["minor_event_grading.dmn"].replace(b'<text>"grid"</text>', b'<text>"community"</text>')
    assert api.deploy({**sample_bundle(), "minor_event_grading.dmn": dmn}).status_code == 201
    browser = login(api.app, "designer")
    page = text(browser.get("/designer/minor_event/compare?a=:1&b=:2"))
    assert "没有差别" not in page.replace("流程元素没有差别", "")
    assert "minor_event_grading.dmn" in page and "rule_minor_level" in page
    same = text(browser.get("/designer/minor_event/compare?a=:2&b=:2"))
    assert "完全相同，没有差别" in same


def test_a_test_run_from_the_pages_shows_the_path_and_leaves_no_case(api):
    _deploy_sample(api)
    browser = login(api.app, "designer")
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft"))
    page = text(browser.get(f"/designer/drafts/{draft}/test"))
    assert "开始测试运行" in page and "category" in page  # start data sampled from the start form
    data = '{"category": "environment", "severity": "minor", "address": "东门路", "description": "路边垃圾"}'
    assert post(browser, f"/designer/drafts/{draft}/test/start", {"org_unit": "dc-dm-01", "data": data}) \
        .status_code == 302
    page = text(browser.get(f"/designer/drafts/{draft}/test"))
    assert 'data-status="running"' in page and "self_handle" in page
    assert post(browser, f"/designer/drafts/{draft}/test/auto").status_code == 302
    page = text(browser.get(f"/designer/drafts/{draft}/test"))
    assert 'data-status="completed"' in page
    bad = post(browser, f"/designer/drafts/{draft}/test/start", {"org_unit": "dc-dm-01", "data": "[1"})
    assert bad.status_code == 422 and "JSON" in text(bad) and 'id="test-data-error"' in text(bad)  # in place
    assert api.tasks("staff-dc-dm") == [] and api.tasks("worker-dc-dm-01") == []
