"""New-user trial findings on the designer's pages (Flask client): a file without a layout is
served with one to the viewers (a download stays as stored), versions read 在用 / 仍有 N 个运行中的
案件 with who deployed them by name (平台初始部署 for the set-up) and localities by their unit's
name, diffs name elements as people know them (the id in small print), the test run's 单位 is a
picker of unit names with field errors, and the tab icon is served."""

import shutil

from tests.support import ROOT, bundle, ok, sample_bundle
from tests.test_web_designer import draft_id, publish, test_run
from tests.test_web_pages import login, post, text
from workflow_app import deployment
from workflow_app.extensions import db

UNLAID = ("case_rating", "evaluation_appeal", "third_party_evaluation", "honour_nomination")
REPORT = {"category": "environment", "severity": "minor", "address": "东门路", "description": "路边垃圾"}


def test_viewers_get_a_layout_for_files_without_one_and_a_download_stays_as_stored(api):
    browser = login(api.app, "designer")
    for key in UNLAID:
        ok(api.deploy(bundle(ROOT / "processes" / key)), 201)
        url = f"/designer/{key}/versions/1/files/{key}.bpmn"
        assert b"BPMNDiagram" not in browser.get(url).data  # the download: the file as shipped
        drawn = browser.get(url + "?view=1")
        assert drawn.status_code == 200 and b"BPMNDiagram" in drawn.data and b"BPMNShape" in drawn.data, key
        page = text(browser.get(f"/designer/{key}/versions/1"))
        assert f"{key}.bpmn?view=1" in page or f"{key}.bpmn?locality=&amp;view=1" in page, [
            line for line in page.splitlines() if "data-bpmn-url" in line]  # the viewer asks for the drawing


def _set_up_minor_event(api, tmp_path) -> None:
    """minor_event as the platform deploys it at set-up (deploy_directory, no actor)."""
    shutil.copytree(ROOT / "processes" / "minor_event", tmp_path / "minor_event")
    with api.app.app_context():
        deployment.deploy_directory(None, str(tmp_path))
        db.session.remove()


def test_versions_read_live_or_still_running_with_names_not_codes(api, tmp_path):
    _set_up_minor_event(api, tmp_path)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)  # a case running on v1
    dmn = sample_bundle()["minor_event_grading.dmn"].replace(b'<text>"grid"</text>', b'<text>"community"</text>')
    ok(api.deploy({**sample_bundle(), "minor_event_grading.dmn": dmn}, comment="轻微事项交社区"), 201)
    browser = login(api.app, "designer")
    page = text(browser.get("/designer/minor_event"))
    v2, v1 = page.split('data-version="2"')[1].split('data-version="1"')
    assert "在用" in v2 and "在用" not in v1, v1
    assert "仍有 1 个运行中的案件" in v1
    assert "平台初始部署" in v1 and "deployed from" not in page and "system" not in page
    assert ">designer " not in v2 and "周工" in v2, v2  # the designer by name
    ok(post(browser, "/designer/minor_event/variant", {"org_unit": "xs"}), 302)
    page = text(browser.get("/designer/minor_event"))
    assert "<h2>西山镇</h2>" in page and "<h2>xs</h2>" not in page, [h for h in page.splitlines() if "<h2" in h]


def test_diffs_name_elements_by_their_names_with_the_id_in_small_print(api):
    ok(api.deploy(sample_bundle()), 201)
    dmn = sample_bundle()["minor_event_grading.dmn"].replace(b'<text>"grid"</text>', b'<text>"community"</text>')
    bpmn = sample_bundle()["minor_event.bpmn"].replace('name="社区处置"'.encode(), 'name="社区处置（改）"'.encode())
    ok(api.deploy({**sample_bundle(), "minor_event_grading.dmn": dmn, "minor_event.bpmn": bpmn}), 201)
    page = text(login(api.app, "designer").get("/designer/minor_event/compare?a=:1&b=:2"))
    assert "修改：rule_minor" not in page and "修改：community_handle" not in page
    assert '规则 1（轻微事项，网格员就地处置） <small class="muted">rule_minor</small>' in page
    assert '社区处置（改） <small class="muted">community_handle</small>' in page


def test_the_tab_icon_is_served(client):
    for path in ("/favicon.ico", "/favicon.svg"):
        icon = client.get(path)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_the_test_run_picks_a_unit_by_name_and_says_what_is_missing(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft"))
    page = text(browser.get(f"/designer/drafts/{draft}/test"))
    picker = page.split('<select id="test-unit"')[1].split("</select>")[0]
    assert '<option value="dc-dm-01" selected>' in picker and "东门社区第1网格" in picker  # a grid, by name
    assert 'placeholder="dc-dm-01"' not in page
    empty = post(browser, f"/designer/drafts/{draft}/test/start", {"org_unit": "", "data": "{}"})
    assert empty.status_code == 422 and "请选择在哪个单位运行" in text(empty) and 'id="test-unit-error"' in text(empty)
    bad = post(browser, f"/designer/drafts/{draft}/test/start", {"org_unit": "dc-dm-01", "data": "{oops"})
    assert bad.status_code == 422 and 'id="test-data-error"' in text(bad) and "{oops" in text(bad)
    unknown = post(browser, f"/designer/drafts/{draft}/test/start", {"org_unit": "nowhere", "data": "{}"})
    assert unknown.status_code == 422 and 'id="test-unit-error"' in text(unknown)
    test_run(browser, draft)
    assert "单位 东门社区第1网格" in text(browser.get(f"/designer/drafts/{draft}/test"))


def test_an_unchanged_republish_needs_no_test_run(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft"))
    assert publish(browser, draft, "原样重新发布").status_code == 302
    page = text(browser.get(f"/designer/drafts/{draft}"))
    assert "已发布" in page and "测试运行（必需）" not in page and "无需测试运行（无变化）" in page
