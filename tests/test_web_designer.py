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


def test_upload_shows_validation_errors_with_file_and_line(api):
    browser = login(api.app, "designer")
    broken = sample_bundle()["minor_event.bpmn"].replace(b'"PT', b'PT').replace(
        b'<bpmn:conditionExpression>handling_level == "grid"</bpmn:conditionExpression>', b"")
    files = {"files": [(io.BytesIO(broken), "minor_event.bpmn"),
                       (io.BytesIO(sample_bundle()["minor_event_grading.dmn"]), "minor_event_grading.dmn")]}
    response = post(browser, "/designer/upload", {**files, "comment": "坏的"}, content_type="multipart/form-data")
    assert response.status_code == 422
    body = text(response)
    assert "流程包未通过校验" in body and "<code>minor_event.bpmn</code>" in body and "第 " in body
    assert 'value="坏的"' in body  # what was typed stays


def test_upload_deploy_view_compare_retire_and_variant(api):
    browser = login(api.app, "designer")
    files = {"files": [(io.BytesIO(c), n) for n, c in sample_bundle().items()]}
    response = post(browser, "/designer/upload", {**files, "comment": "首版"}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/designer/minor_event")
    page = text(browser.get("/designer/minor_event"))
    assert "已部署 minor_event v1" in page and "首版" in page
    editor = text(browser.get("/designer/minor_event/versions/1/edit"))
    assert "bpmn-modeler.production.min.js" in editor and "&lt;bpmn:definitions" in editor
    xml = sample_bundle()["minor_event.bpmn"].decode().replace('name="社区处置"', 'name="社区处置（改）"')
    deployed = post(browser, "/designer/minor_event/versions/1/deploy",
                    {"file": "minor_event.bpmn", "xml": xml, "comment": "改名", "target": ""})
    assert deployed.status_code == 302
    page = text(browser.get("/designer/minor_event"))
    assert "v2" in page and "改名" in page
    assert browser.get("/designer/minor_event/versions/2/files/minor_event.bpmn").data.decode() == xml
    compared = text(browser.get("/designer/minor_event/compare?a=:1&b=:2"))
    assert "修改 (1)" in compared and "community_handle" in compared and "新增 (0)" in compared
    refused = post(browser, "/designer/minor_event/versions/2/deploy",
                   {"file": "minor_event.bpmn", "xml": xml.replace('"PT', "PT").replace("<bpmn:process", "<bpmn:nope"),
                    "comment": "坏", "target": ""})
    assert refused.status_code == 422 and "流程包未通过校验" in text(refused) and "社区处置（改）" in text(refused)
    assert post(browser, "/designer/minor_event/versions/2/retire", {"locality": ""}).status_code == 302
    assert "已停用 minor_event v2" in text(browser.get("/designer/minor_event"))
    assert post(browser, "/designer/minor_event/variant", {"org_unit": "xs"}).status_code == 302
    page = text(browser.get("/designer/minor_event"))
    assert "<h2>xs</h2>" in page and "基于全县通用版 v1" in page
    assert post(browser, "/designer/minor_event/variant", {"org_unit": "nowhere"}).status_code == 302  # refused
    assert "没有编码为 nowhere 的单位" in text(browser.get("/designer/minor_event"))
    assert browser.get("/designer/minor_event/versions/1?locality=xs").status_code == 200
    assert browser.get("/designer/nope").status_code == 404
