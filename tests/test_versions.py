"""Versions: content-hash identity, pinned running cases, locality variants, downloads, retirement."""

from tests.support import ok, only, sample_bundle

MINOR = {"category": "environment", "severity": "minor", "description": "井盖松动", "address": "东门路"}
CONDITION = '<bpmn:conditionExpression>handling_level == "grid"</bpmn:conditionExpression>'


def _v2() -> dict:
    """The sample with one gateway condition changed: nothing goes to grid self-handling."""
    files = sample_bundle()
    text = files["minor_event.bpmn"].decode().replace(
        CONDITION, '<bpmn:conditionExpression>handling_level == "never"</bpmn:conditionExpression>')
    return {**files, "minor_event.bpmn": text.encode()}


def test_identical_redeploy_is_a_no_op(api):
    first = api.deploy(sample_bundle(), comment="首次发布")
    again = api.deploy(sample_bundle())
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["unchanged"] is True
    assert again.get_json()["version"] == 1 and again.get_json()["sha256"] == first.get_json()["sha256"]
    crlf = {k: v.replace(b"\n", b"\r\n") for k, v in sample_bundle().items()}
    assert api.deploy(crlf).status_code == 200  # line endings do not make a new version
    versions = api.get("/definitions/minor_event/versions", "designer").get_json()
    assert [(v["version"], v["comment"], v["deployed_by"]) for v in versions] == [(1, "首次发布", "designer")]


def test_changed_condition_is_v2_and_running_cases_keep_v1(api):
    ok(api.deploy(sample_bundle()), 201)
    old = ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201).get_json()
    deployed = api.deploy(_v2(), comment="取消网格自行处置")
    assert deployed.status_code == 201 and deployed.get_json()["version"] == 2
    new = ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201).get_json()
    assert (old["version"], new["version"]) == (1, 2)

    # v1's rule sent the minor case to grid self-handling; v2's sends the same data to the community.
    assert [t["bpmn_id"] for t in api.instance(old["id"])["tasks"]] == ["self_handle"]
    assert [t["bpmn_id"] for t in api.instance(new["id"])["tasks"]] == ["community_handle"]

    # The v1 case finishes by v1's rules after v2 exists.
    task = only(api.tasks("worker-dc-dm-01", instance_id=old["id"]), "self_handle")
    assert api.complete(task["id"], "worker-dc-dm-01", {"handling_note": "已处理"}).status_code == 200
    verify = only(api.tasks("worker-dc-dm-01", instance_id=old["id"]), "verify")
    assert api.complete(verify["id"], "worker-dc-dm-01", {"verified": True}).status_code == 200
    assert api.instance(old["id"])["status"] == "completed"


def test_download_any_version_file(api):
    assert ok(api.deploy(sample_bundle()), 201).get_json()["version"] == 1
    assert ok(api.deploy(_v2()), 201).get_json()["version"] == 2
    v1 = api.get("/definitions/minor_event/versions/1/files/minor_event.bpmn", "worker-dc-dm-01")
    v2 = api.get("/definitions/minor_event/versions/2/files/minor_event.bpmn", "worker-dc-dm-01")
    assert v1.status_code == 200 and v1.mimetype == "application/xml"
    assert CONDITION.encode() in v1.data and CONDITION.encode() not in v2.data
    form = api.get("/definitions/minor_event/versions/1/files/minor_verify.json", "designer")
    assert form.status_code == 200 and form.get_json()["title"] == "核查结案"
    assert api.get("/definitions/minor_event/versions/9/files/minor_event.bpmn", "designer").status_code == 404
    assert api.get("/definitions/minor_event/versions/1/files/nope.bpmn", "designer").status_code == 404


def test_retire_sends_new_cases_to_the_newest_active_version(api):
    assert ok(api.deploy(sample_bundle()), 201).get_json()["version"] == 1
    assert ok(api.deploy(_v2()), 201).get_json()["version"] == 2
    running = ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201).get_json()
    assert running["version"] == 2
    assert api.post("/definitions/minor_event/versions/2/retire", "worker-dc-dm-01").status_code == 403
    retired = api.post("/definitions/minor_event/versions/2/retire", "designer")
    assert retired.status_code == 200 and retired.get_json()["status"] == "retired"
    assert ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201).get_json()["version"] == 1
    assert api.instance(running["id"])["version"] == 2  # the running case keeps its version
    listed = api.get("/definitions", "designer").get_json()
    assert [(d["key"], d["version"], d["status"]) for d in listed] == [("minor_event", 2, "retired")]


def test_versions_are_immutable_records(api):
    assert ok(api.deploy(sample_bundle(), comment="v1"), 201).get_json()["version"] == 1
    assert ok(api.deploy(_v2(), comment="v2"), 201).get_json()["version"] == 2
    versions = api.get("/definitions/minor_event/versions", "designer").get_json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["sha256"] != versions[1]["sha256"]
    assert all(v["deployed_at"] and v["deployed_by"] == "designer" for v in versions)
    assert set(versions[0]["files"]) == {"minor_event.bpmn", "minor_event_grading.dmn", "minor_handle.json",
                                         "minor_report.json", "minor_self_handle.json", "minor_verify.json"}


def test_only_designers_deploy(api):
    response = api.deploy(sample_bundle(), user="worker-dc-dm-01")
    assert response.status_code == 403 and response.get_json()["reason"] == "forbidden", response.get_json()
    assert api.deploy(sample_bundle(), user="admin").status_code == 201


def test_town_variant_overrides_default_in_that_town_only(api):
    ok(api.deploy(sample_bundle()), 201)
    variant = api.deploy(_v2(), locality="dc", comment="东城街道：小事也交社区")
    assert variant.status_code == 201
    assert variant.get_json() | {"sha256": None} == {
        "key": "minor_event", "version": 1, "locality": "dc", "sha256": None, "unchanged": False, "warnings": []}

    in_town = ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201).get_json()
    elsewhere = ok(api.start("minor_event", "xs-sq-01", MINOR, "worker-xs-sq-01"), 201).get_json()
    assert (in_town["locality"], elsewhere["locality"]) == ("dc", None)
    assert [t["bpmn_id"] for t in api.instance(in_town["id"])["tasks"]] == ["community_handle"]
    assert [t["bpmn_id"] for t in api.instance(elsewhere["id"])["tasks"]] == ["self_handle"]

    by_locality = api.get("/definitions/minor_event/versions?locality=dc", "designer").get_json()
    assert [(v["locality"], v["version"]) for v in by_locality] == [("dc", 1)]
    everything = api.get("/definitions/minor_event/versions", "designer").get_json()
    assert {(v["locality"], v["version"]) for v in everything} == {(None, 1), ("dc", 1)}


def test_variant_for_unknown_unit_is_refused(api):
    response = api.deploy(sample_bundle(), locality="nowhere")
    assert response.status_code == 422 and "locality" in response.get_json()["errors"]


def test_most_specific_variant_wins(api):
    ok(api.deploy(sample_bundle()), 201)
    assert ok(api.deploy(_v2(), locality="dc"), 201).get_json()["locality"] == "dc"
    community_variant = api.deploy(sample_bundle(), locality="dc-dm")
    assert community_variant.status_code == 201
    started = ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201).get_json()
    assert started["locality"] == "dc-dm"
    assert ok(api.start("minor_event", "dc-bg-01", MINOR, "worker-dc-bg-01"), 201).get_json()["locality"] == "dc"
