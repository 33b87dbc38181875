"""The drafts API: draft → validate → test run → publish, designers only."""

import io

from tests.support import ok, sample_bundle

REPORT = {"category": "environment", "severity": "minor", "address": "东门路12号", "description": "路边垃圾堆放"}
DMN = "minor_event_grading.dmn"


def test_the_drafts_api_from_draft_to_published_version(api):
    ok(api.deploy(sample_bundle()), 201)
    draft = ok(api.post("/drafts/from-version", "designer", {"key": "minor_event", "version": 1}), 201).get_json()
    assert draft["status"] == "draft" and draft["validation"]["ok"] and draft["validation"]["current"]
    ok(api.post("/drafts/from-version", "staff-dc-dm", {"key": "minor_event", "version": 1}), 403)
    broken = sample_bundle()[DMN].decode().replace("<decisionTable", "<decisionTabel").replace(
        "</decisionTable>", "</decisionTabel>")
    path = f"/api/v1/drafts/{draft['id']}/files/{DMN}"
    saved = ok(api.client.put(path, json={"content": broken}, headers=api.headers("designer")), 200).get_json()
    assert not saved["validation"]["ok"] and any(p["file"] == DMN for p in saved["validation"]["problems"])
    ok(api.post(f"/drafts/{draft['id']}/publish", "designer", {"comment": "坏的"}), 422)
    ok(api.post(f"/drafts/{draft['id']}/test-run", "designer", {"org_unit": "dc-dm-01", "data": REPORT}), 422)
    fixed = sample_bundle()[DMN].decode().replace('<text>"grid"</text>', '<text>"community"</text>')
    ok(api.client.put(path, json={"content": fixed}, headers=api.headers("designer")), 200)
    [change] = ok(api.get(f"/drafts/{draft['id']}/changes", "designer"), 200).get_json()
    assert change["name"] == DMN and change["changed"] == ["rule_minor"]
    run = ok(api.post(f"/drafts/{draft['id']}/test-run", "designer", {"org_unit": "dc-dm-01", "data": REPORT}),
             200).get_json()
    assert run["status"] == "running" and [t["bpmn_id"] for t in run["ready"]] == ["community_handle"]
    run = ok(api.post(f"/drafts/{draft['id']}/test-run/auto", "designer"), 200).get_json()
    assert run["status"] == "completed" and "closed" in run["path"]
    assert api.tasks("staff-dc-dm") == []  # the test run made no task
    ok(api.post(f"/drafts/{draft['id']}/publish", "staff-dc-dm", {"comment": "我来"}), 403)
    ok(api.post(f"/drafts/{draft['id']}/publish", "designer", {"comment": ""}), 422)
    published = ok(api.post(f"/drafts/{draft['id']}/publish", "designer", {"comment": "轻微事项交社区"}),
                   201).get_json()
    assert published["version"] == 2
    versions = ok(api.get("/definitions/minor_event/versions", "designer"), 200).get_json()
    assert [v["comment"] for v in versions if v["version"] == 2] == ["轻微事项交社区"]
    assert ok(api.get(f"/drafts/{draft['id']}", "designer"), 200).get_json()["status"] == "published"


def test_a_test_run_is_sent_a_signal_through_the_api(api):
    from tests.test_messages import awaiting_storm

    form = {"files": [(io.BytesIO(awaiting_storm()), "await_storm.bpmn")]}
    draft = ok(api.client.post("/api/v1/drafts", data=form, headers=api.headers("designer"),
                               content_type="multipart/form-data"), 201).get_json()
    run = ok(api.post(f"/drafts/{draft['id']}/test-run", "designer", {"org_unit": "dc-dm-01"}), 200).get_json()
    assert run["waiting"][0]["name"] == "storm_warning"
    ok(api.post(f"/drafts/{draft['id']}/test-run/events", "designer", {"kind": "signal", "name": "nope"}), 409)
    run = ok(api.post(f"/drafts/{draft['id']}/test-run/events", "designer",
                      {"kind": "signal", "name": "storm_warning", "data": {"level": "red"}}), 200).get_json()
    assert [t["bpmn_id"] for t in run["ready"]] == ["review"]


def test_publishing_through_the_api_needs_a_passing_test_run_of_this_content(api):
    """Issue 15: the API published a draft nobody had run; POST /definitions keeps deploying directly."""
    ok(api.deploy(sample_bundle()), 201)
    draft = ok(api.post("/drafts/from-version", "designer", {"key": "minor_event", "version": 1}), 201).get_json()
    changed = sample_bundle()[DMN].decode().replace('<text>"grid"</text>', '<text>"community"</text>')
    ok(api.client.put(f"/api/v1/drafts/{draft['id']}/files/{DMN}", json={"content": changed},
                      headers=api.headers("designer")), 200)
    refused = ok(api.post(f"/drafts/{draft['id']}/publish", "designer", {"comment": "交社区"}), 409).get_json()
    assert refused["message"].startswith("请先试运行此版本并通过") and refused["errors"]["test_run"]
    ok(api.post(f"/drafts/{draft['id']}/test-run", "designer", {"org_unit": "dc-dm-01", "data": REPORT}), 200)
    refused = ok(api.post(f"/drafts/{draft['id']}/publish", "designer", {"comment": "交社区"}), 409).get_json()
    assert "还没有走完" in refused["message"]
    assert ok(api.post(f"/drafts/{draft['id']}/test-run/auto", "designer"), 200).get_json()["status"] == "completed"
    assert ok(api.post(f"/drafts/{draft['id']}/publish", "designer", {"comment": "交社区"}), 201).get_json()[
        "version"] == 2
    ok(api.deploy({**sample_bundle(), DMN: changed.replace('"community"', '"grid"').encode()}), 201)  # direct: v3


def test_a_file_is_removed_from_a_draft(api):
    """The web-UI issue: DELETE /drafts/<id>/files/<name> removes a file (200 with the draft), 404
    for a file the draft does not have, 409 for the draft's only BPMN file or a closed draft; the
    changes list the removal."""
    ok(api.deploy(sample_bundle()), 201)
    draft = ok(api.post("/drafts/from-version", "designer", {"key": "minor_event", "version": 1}), 201).get_json()
    path = f"/api/v1/drafts/{draft['id']}/files"
    ok(api.client.delete(f"{path}/nothing.json", headers=api.headers("designer")), 404)
    ok(api.client.delete(f"{path}/{DMN}", headers=api.headers("staff-dc-dm")), 403)
    last = ok(api.client.delete(f"{path}/minor_event.bpmn", headers=api.headers("designer")), 409).get_json()
    assert "唯一的流程图" in last["message"]
    removed = ok(api.client.delete(f"{path}/{DMN}", headers=api.headers("designer")), 200).get_json()
    assert DMN not in removed["files"] and "minor_event.bpmn" in removed["files"]
    assert not removed["validation"]["ok"] and removed["validation"]["current"]
    changes = ok(api.get(f"/drafts/{draft['id']}/changes", "designer"), 200).get_json()
    assert [(c["name"], c["change"]) for c in changes] == [(DMN, "removed")]
    ok(api.post(f"/drafts/{draft['id']}/discard", "designer"), 200)
    ok(api.client.delete(f"{path}/minor_event.bpmn", headers=api.headers("designer")), 409)


def test_the_draft_page_removes_a_file_and_says_a_variant_uses_the_parents_again(api):
    """The draft page has a 删除 button (with a confirm) per file; for a variant it says removing
    its own file means using the parent's again, and offers none for the parent's own files."""
    from tests.test_deploy_variants import variant_dmn
    from tests.test_web_pages import login, post, text

    ok(api.deploy(sample_bundle()), 201)
    ok(api.deploy({DMN: variant_dmn()}, locality="dc", comment="东城街道"), 201)
    draft = ok(api.post("/drafts/from-version", "designer", {"key": "minor_event", "version": 1, "locality": "dc"}),
               201).get_json()
    browser = login(api.app, "designer")
    page = text(browser.get(f"/designer/drafts/{draft['id']}"))
    assert f'data-remove="{DMN}"' in page and 'data-remove="minor_event.bpmn"' not in page
    assert "删除即改用上级版本的文件" in page and "沿用上级版本的文件" in page and "confirm(" in page
    answer = post(browser, f"/designer/drafts/{draft['id']}/files/minor_event.bpmn/remove", follow_redirects=True)
    assert answer.status_code == 200 and "不能从变体中删除" in text(answer)
    answer = post(browser, f"/designer/drafts/{draft['id']}/files/{DMN}/remove", follow_redirects=True)
    assert answer.status_code == 200 and "已改回沿用上级版本的文件" in text(answer)
    assert f'data-remove="{DMN}"' not in text(answer)
    shown = ok(api.get(f"/drafts/{draft['id']}", "designer"), 200).get_json()
    assert DMN in shown["files"]
    downloaded = browser.get(f"/designer/drafts/{draft['id']}/files/{DMN}")  # the parent's DMN again
    assert downloaded.data == sample_bundle()[DMN]
    changes = ok(api.get(f"/drafts/{draft['id']}/changes", "designer"), 200).get_json()
    assert [(c["name"], c["change"]) for c in changes] == [(DMN, "changed")]
    unknown = post(browser, f"/designer/drafts/{draft['id']}/files/nothing.json/remove", follow_redirects=True)
    assert unknown.status_code == 200
