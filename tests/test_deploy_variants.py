"""Locality variants are overlays: a variant holds only the files it changes, records the parent
version it overlays, never changes because its parent did (it shows as behind), and is rebased by
its designer after reading the diff. Deploy, list and download work on the merged bundle."""

from pathlib import Path

from tests.support import bundle, sample_bundle
from tests.test_web_pages import login, post, text

ROOT = Path(__file__).resolve().parent.parent
DMN, BPMN = "minor_event_grading.dmn", "minor_event.bpmn"
MINOR = {"category": "environment", "severity": "minor", "description": "井盖松动", "address": "东门路"}
GRID_RULE = '<outputEntry id="rule_minor_level"><text>"grid"</text></outputEntry>'


def variant_dmn() -> bytes:
    """东城街道: minor events go to the community too (the default lets the grid handle them)."""
    text_ = sample_bundle()[DMN].decode()
    assert GRID_RULE in text_
    return text_.replace(GRID_RULE, GRID_RULE.replace('"grid"', '"community"')).encode()


def default_v2() -> dict[str, bytes]:
    """The default with the community task renamed: a change every variant should get only on rebase."""
    files = sample_bundle()
    return {**files, BPMN: files[BPMN].replace('name="社区处置"'.encode(), 'name="社区处置（新）"'.encode())}


def deployed(response, status: int = 201) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def versions(api, locality: str) -> list[dict]:
    return api.get(f"/definitions/minor_event/versions?locality={locality}", "designer").get_json()


def first_task(api, unit: str, reporter: str) -> dict:
    case = deployed(api.start("minor_event", unit, MINOR, reporter))
    [task] = api.instance(case["id"])["tasks"]
    return {"case": case, "task": task}


def test_the_dc_variant_directory_holds_only_what_differs():
    default = bundle(ROOT / "processes" / "event_handling")
    variant = bundle(ROOT / "processes" / "localities" / "dc" / "event_handling")
    assert set(variant) == {"event_grading.dmn"}
    assert variant["event_grading.dmn"] != default["event_grading.dmn"]


def test_flask_deploy_deploys_the_dc_variant_as_an_overlay(api):
    runner = api.app.test_cli_runner()
    first = runner.invoke(args=["deploy"])
    assert first.exit_code == 0, first.output
    assert "event_handling [dc]: v1 deployed" in first.output
    [dc] = api.get("/definitions/event_handling/versions?locality=dc", "designer").get_json()
    assert dc["base"] == {"locality": None, "version": 1} and dc["own_files"] == ["event_grading.dmn"]
    assert "event_handling.bpmn" in dc["files"]  # listed as merged
    merged = api.get("/definitions/event_handling/versions/1/files/event_handling.bpmn?locality=dc", "staff-dc-dm")
    assert merged.status_code == 200
    assert merged.data == (ROOT / "processes" / "event_handling" / "event_handling.bpmn").read_bytes()
    own = api.get("/definitions/event_handling/versions/1/files/event_grading.dmn?locality=dc", "staff-dc-dm")
    assert own.data == (ROOT / "processes/localities/dc/event_handling/event_grading.dmn").read_bytes()
    again = runner.invoke(args=["deploy"])
    assert again.exit_code == 0 and "event_handling [dc]: v1 unchanged" in again.output


def test_a_variant_upload_holds_just_the_changed_file(api):
    deployed(api.deploy(sample_bundle()))
    variant = deployed(api.deploy({DMN: variant_dmn()}, locality="dc", comment="东城街道：小事也交社区"))
    assert (variant["key"], variant["locality"], variant["version"]) == ("minor_event", "dc", 1)
    [dc] = versions(api, "dc")
    assert dc["own_files"] == [DMN] and dc["base"] == {"locality": None, "version": 1}
    assert set(dc["files"]) == set(versions(api, "")[0]["files"])
    assert first_task(api, "dc-dm-01", "worker-dc-dm-01")["task"]["bpmn_id"] == "community_handle"
    assert first_task(api, "xs-sq-01", "worker-xs-sq-01")["task"]["bpmn_id"] == "self_handle"
    download = api.get(f"/definitions/minor_event/versions/1/files/{BPMN}?locality=dc", "designer")
    assert download.data == sample_bundle()[BPMN].replace(b"\r\n", b"\n")
    # Uploading the whole bundle again changes nothing: identical files are inherited.
    again = deployed(api.deploy({**sample_bundle(), DMN: variant_dmn()}, locality="dc"), 200)
    assert again["unchanged"] is True


def test_a_new_parent_version_never_silently_changes_the_variant(api):
    deployed(api.deploy(sample_bundle()))
    deployed(api.deploy({DMN: variant_dmn()}, locality="dc"))
    deployed(api.deploy(default_v2()))

    in_dc = first_task(api, "dc-dm-01", "worker-dc-dm-01")
    assert (in_dc["case"]["locality"], in_dc["case"]["version"]) == ("dc", 1)
    assert in_dc["task"]["name"] == "社区处置"  # still the base it was made on
    assert first_task(api, "xs-sq-01", "worker-xs-sq-01")["case"]["version"] == 2

    status = api.get("/definitions/minor_event/variants/dc", "designer").get_json()
    assert status["behind"] is True and status["overlay"] is True
    assert (status["base"]["version"], status["parent"]["version"]) == (1, 2)
    assert status["own_files"] == [DMN] and BPMN in status["inherited_files"]
    [change] = status["changes"]
    assert (change["name"], change["change"], change["changed"]) == (BPMN, "changed", ["community_handle"])
    assert any("社区处置（新）" in line for line in change["diff"])

    # Deploying the variant's own file again keeps it on its base: still no silent rebase.
    deployed(api.deploy({DMN: variant_dmn()}, locality="dc"), 200)
    assert [v["version"] for v in versions(api, "dc")] == [1]


def test_rebase_shows_the_diff_then_applies_it(api):
    deployed(api.deploy(sample_bundle()))
    deployed(api.deploy({DMN: variant_dmn()}, locality="dc"))
    deployed(api.deploy(default_v2()))
    assert api.post("/definitions/minor_event/variants/dc/rebase", "worker-dc-dm-01", json={}).status_code == 403

    preview = deployed(api.post("/definitions/minor_event/variants/dc/rebase", "designer", json={"dry_run": True}), 200)
    assert preview["deployed"] is None and [c["name"] for c in preview["changes"]] == [BPMN]
    assert [v["version"] for v in versions(api, "dc")] == [1]

    applied = deployed(api.post("/definitions/minor_event/variants/dc/rebase", "designer", json={}), 200)
    assert applied["deployed"]["version"] == 2 and applied["deployed"]["unchanged"] is False
    [_, v2] = versions(api, "dc")
    assert v2["base"] == {"locality": None, "version": 2} and v2["own_files"] == [DMN]
    assert "rebased" in v2["comment"]
    in_dc = first_task(api, "dc-dm-01", "worker-dc-dm-01")
    assert in_dc["task"]["bpmn_id"] == "community_handle" and in_dc["task"]["name"] == "社区处置（新）"
    status = api.get("/definitions/minor_event/variants/dc", "designer").get_json()
    assert status["behind"] is False and status["changes"] == []


def test_a_community_variant_overlays_its_town_variant(api):
    deployed(api.deploy(sample_bundle()))
    deployed(api.deploy({DMN: variant_dmn()}, locality="dc"))
    community = default_v2()[BPMN]
    deployed(api.deploy({BPMN: community}, locality="dc-dm"))
    [dm] = versions(api, "dc-dm")
    assert dm["base"] == {"locality": "dc", "version": 1} and dm["own_files"] == [BPMN]
    in_dm = first_task(api, "dc-dm-01", "worker-dc-dm-01")
    assert in_dm["case"]["locality"] == "dc-dm"
    assert (in_dm["task"]["bpmn_id"], in_dm["task"]["name"]) == ("community_handle", "社区处置（新）")


def test_unknown_variant_and_variant_without_parent(api):
    assert api.get("/definitions/minor_event/variants/dc", "designer").status_code == 404
    deployed(api.deploy(sample_bundle(), locality="dc"))  # a variant with no default above it
    status = api.get("/definitions/minor_event/variants/dc", "designer").get_json()
    assert status["parent"] is None and status["behind"] is False
    assert api.post("/definitions/minor_event/variants/dc/rebase", "designer", json={}).status_code == 409


def test_creating_a_variant_where_one_exists_asks_and_shows_what_would_change(api):
    """The designer's 创建地方版本 silently replaced 东城街道's variant with the county files."""
    deployed(api.deploy(sample_bundle()))
    deployed(api.deploy({DMN: variant_dmn()}, locality="dc"))
    browser = login(api.app, "designer")
    asked = post(browser, "/designer/minor_event/variant", {"org_unit": "dc"})
    assert asked.status_code == 200
    page = text(asked)
    assert "已有地方版本" in page and DMN in page and "确认替换" in page and 'name="confirm" value="1"' in page
    assert "rule_minor" in page  # the rule that would change
    assert [v["version"] for v in versions(api, "dc")] == [1]  # nothing replaced yet

    confirmed = post(browser, "/designer/minor_event/variant", {"org_unit": "dc", "confirm": "1"})
    assert confirmed.status_code == 302
    [_, v2] = versions(api, "dc")
    assert v2["own_files"] == [] and v2["base"] == {"locality": None, "version": 1}


def test_creating_a_fresh_variant_needs_no_confirmation(api):
    deployed(api.deploy(sample_bundle()))
    browser = login(api.app, "designer")
    assert post(browser, "/designer/minor_event/variant", {"org_unit": "xs"}).status_code == 302
    [xs] = versions(api, "xs")
    assert xs["own_files"] == [] and "基于全县通用版 v1" in xs["comment"]


def test_the_designer_shows_a_behind_variant_and_rebases_it(api):
    deployed(api.deploy(sample_bundle()))
    deployed(api.deploy({DMN: variant_dmn()}, locality="dc"))
    deployed(api.deploy(default_v2()))
    browser = login(api.app, "designer")
    page = text(browser.get("/designer/minor_event"))
    assert 'data-behind="yes"' in page and "上级已有新版本" in page and DMN in page
    preview = text(browser.get("/designer/minor_event/variants/dc/rebase"))
    assert BPMN in preview and "community_handle" in preview and "确认同步" in preview
    done = post(browser, "/designer/minor_event/variants/dc/rebase", {"comment": "跟进县级改名"})
    assert done.status_code == 302
    assert [v["version"] for v in versions(api, "dc")] == [1, 2]
    assert 'data-behind="no"' in text(browser.get("/designer/minor_event"))
