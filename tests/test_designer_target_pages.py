"""Issue 15 leftovers on the designer's pages (Flask client): where a draft goes is picked from the
units by name (county → towns → communities, 全县通用 the empty choice), still submitting the unit's
code, with a field error (never a 500) for a code no unit has; the edit page is headed by the
process's name; publishing says which change the test runs did not exercise and takes a reason."""

import html
import io
import json
import re

from sqlalchemy import select

from tests.support import ok, sample_bundle
from tests.test_drafts_coverage import GENERAL, condition_changed
from tests.test_web_designer import draft_id, publish, test_run
from tests.test_web_pages import login, post, text
from workflow_app.extensions import db
from workflow_app.models import ProcessDraft

EDIT = "/designer/minor_event/versions/1/edit"


def picker(page: str, ident: str) -> str:
    return page.split(f'<select id="{ident}"')[1].split("</select>")[0]


def options(select: str) -> list[tuple[str, str]]:
    return [(v, html.unescape(t).strip("\u3000 ")) for v, t in
            re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)]


def test_the_edit_page_picks_where_to_publish_by_unit_name(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    page = text(browser.get(EDIT))
    assert "单位编码" not in page
    choices = options(picker(page, "target"))
    assert choices[0] == ("", "全县通用") and '<option value="" selected>' in picker(page, "target")
    assert ("xs", "西山镇") in choices and ("dc", "东城街道") in choices and ("dc-dm", "东门社区") in choices
    assert all(code != "dc-dm-01" for code, _label in choices)  # grids are not variant targets
    town = picker(page, "target").split('value="dc"')[1].split("</option>")[0]
    community = picker(page, "target").split('value="dc-dm"')[1].split("</option>")[0]
    assert community.count("\u3000") > town.count("\u3000")  # indented under its town
    xml = sample_bundle()["minor_event.bpmn"].decode()
    made = draft_id(post(browser, "/designer/minor_event/versions/1/draft",
                         {"file": "minor_event.bpmn", "xml": xml, "target": "xs"}))
    with api.app.app_context():
        assert db.session.get(ProcessDraft, made).locality == "xs"


def test_an_unknown_target_is_a_field_error_and_the_edited_diagram_is_kept(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    xml = sample_bundle()["minor_event.bpmn"].decode().replace("社区处置", "社区处置（编辑中）")
    refused = post(browser, "/designer/minor_event/versions/1/draft",
                   {"file": "minor_event.bpmn", "xml": xml, "target": "nowhere"})
    page = text(refused)
    assert refused.status_code == 422
    assert 'id="target-errors"' in page and "没有编码为 nowhere 的单位" in page
    assert "社区处置（编辑中）" in page  # the modeler gets back what was drawn
    with api.app.app_context():
        assert db.session.execute(select(ProcessDraft)).first() is None


def test_the_edit_page_is_headed_by_the_process_name(api):
    ok(api.deploy(sample_bundle()), 201)
    page = text(login(api.app, "designer").get(EDIT))
    heading = page.split('<h1 id="edit-title">')[1].split("</h1>")[0]
    assert "小事快办" in heading and "minor_event" not in heading
    crumbs = page.split('class="crumbs"')[1].split("</p>")[0]
    assert ">小事快办</a>" in crumbs and ">minor_event</a>" not in crumbs
    assert "<code>minor_event</code>" in page.split('id="edit-file"')[1].split("</p>")[0]  # small print


def test_the_draft_page_retargets_by_name_with_field_errors(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft"))
    page = text(browser.get(f"/designer/drafts/{draft}"))
    assert "单位编码" not in page and ("dc-dm", "东门社区") in options(picker(page, "draft-locality"))
    refused = post(browser, f"/designer/drafts/{draft}/target", {"locality": "bogus"})
    assert refused.status_code == 422 and "没有编码为 bogus 的单位" in text(refused)
    assert 'aria-invalid="true"' in picker(text(refused), "draft-locality")
    assert post(browser, f"/designer/drafts/{draft}/target", {"locality": "dc-dm"}).status_code == 302
    assert '<option value="dc-dm" data-level="community" selected>' in text(browser.get(f"/designer/drafts/{draft}"))


def test_upload_and_variant_forms_pick_units_by_name(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    assert ("xs", "西山镇") in options(picker(text(browser.get("/designer")), "locality"))
    variant = options(picker(text(browser.get("/designer/minor_event")), "variant-unit"))
    assert ("", "全县通用") not in variant and ("xs", "西山镇") in variant
    files = {"files": [(io.BytesIO(c), n) for n, c in sample_bundle().items()]}
    refused = post(browser, "/designer/upload", {**files, "locality": "nowhere"}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "没有编码为 nowhere 的单位" in text(refused)


def test_publishing_an_uncovered_change_needs_a_reason_on_the_page(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft",
                          {"file": "minor_event.bpmn", "xml": condition_changed().decode()}))
    test_run(browser, draft, json.dumps(GENERAL, ensure_ascii=False))
    page = text(browser.get(f"/designer/drafts/{draft}/publish"))
    assert "连线「网格可处置」没有被走过" in page.split('id="uncovered"')[1].split("</div>")[0]
    assert 'name="uncovered_reason"' in page
    assert "测试运行未覆盖改动" in text(browser.get(f"/designer/drafts/{draft}"))
    assert 'id="uncovered"' in text(browser.get(f"/designer/drafts/{draft}/test"))
    refused = publish(browser, draft, "放宽条件")
    assert refused.status_code == 409 and 'id="uncovered-reason-errors"' in text(refused)
    published = post(browser, f"/designer/drafts/{draft}/publish",
                     {"comment": "放宽条件", "uncovered_reason": "紧急上线，明天补测"})
    assert published.status_code == 302
    versions = ok(api.get("/definitions/minor_event/versions", "designer"), 200).get_json()
    assert "紧急上线，明天补测" in [v["comment"] for v in versions if v["version"] == 2][0]


def test_in_english_the_picker_and_the_coverage_refusal_speak_english(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    page = text(browser.get(EDIT + "?lang=en"))
    assert "Publish to" in page and "发布到" not in page
    assert ("xs", "Xishan Town") in options(picker(page, "target"))
    draft = draft_id(post(browser, "/designer/minor_event/versions/1/draft",
                          {"file": "minor_event.bpmn", "xml": condition_changed().decode()}))
    test_run(browser, draft, json.dumps(GENERAL, ensure_ascii=False))
    page = text(browser.get(f"/designer/drafts/{draft}/publish?lang=en"))
    assert "the flow “网格可处置” was not taken" in page and "Publish without test coverage" in page
