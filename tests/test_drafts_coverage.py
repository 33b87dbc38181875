"""Issue 15: publishing a draft needs test runs that exercised what it changes, not only a run that
reached the end: a changed DMN rule must have matched (its decision evaluated), a changed element
been reached, a changed gateway condition's flow taken; otherwise publishing is refused naming what
was missed (zh + en), unless the designer gives a reason, which is recorded."""

import pytest
from sqlalchemy import select

from tests.support import ok, sample_bundle
from tests.test_drafts import BPMN, DMN, REPORT, passing_run, person, versions
from workflow_app import drafts
from workflow_app.drafts import coverage
from workflow_app.errors import Conflict
from workflow_app.extensions import db
from workflow_app.models import AuditEvent, ProcessVersion

SAFETY = {**REPORT, "category": "safety"}
GENERAL = {**REPORT, "severity": "general"}


@pytest.fixture
def deployed(api):
    ok(api.deploy(sample_bundle()), 201)
    with api.app.test_request_context():
        yield api


def safety_rule_changed() -> bytes:
    """The 安全隐患 row (rule 2) gives 1 hour instead of 2; a minor environment report never matches it."""
    dmn = sample_bundle()[DMN]
    old = b'<outputEntry id="rule_safety_limit"><text>{"amount": 2, "unit": "work_hours"}</text></outputEntry>'
    assert old in dmn
    return dmn.replace(old, old.replace(b'"amount": 2', b'"amount": 1'))


def condition_changed() -> bytes:
    """The 网格可处置 branch's condition also takes a "self" level; a general report goes the other way."""
    bpmn = sample_bundle()[BPMN]
    old = b'<bpmn:conditionExpression>handling_level == "grid"</bpmn:conditionExpression>'
    assert old in bpmn
    return bpmn.replace(old, b'<bpmn:conditionExpression>handling_level in ("grid", "self")'
                             b'</bpmn:conditionExpression>')


def draft_with(files: dict[str, bytes]):
    return drafts.from_version("minor_event", 1, "", person("designer"), files)


def test_a_changed_rule_the_test_run_did_not_match_blocks_publishing_until_a_run_matches_it(deployed):
    draft = draft_with({DMN: safety_rule_changed()})
    run = passing_run(draft.id, person("designer"))  # a minor environment report: rule 1 matched
    assert run["rules"] == ["minor_event_grading:rule_minor"]
    assert coverage.RULE_HIT not in run["data"]  # the instrument column is not shown as data
    with pytest.raises(Conflict) as refused:
        drafts.publish(draft.id, person("designer"), "安全隐患 1 小时")
    assert "测试运行没有覆盖这次的改动" in refused.value.message
    assert "决策「分级研判」的规则 2（安全隐患一律交社区，2 小时）没有被命中" in refused.value.message
    assert "rule 2 (安全隐患一律交社区，2 小时) of the decision “分级研判” never matched" in \
        refused.value.errors["coverage"][0]
    assert versions() == [1]
    passing_run(draft.id, person("designer"), SAFETY)  # a second run of the same content: rule 2
    assert drafts.uncovered(drafts.get(draft.id, person("designer"))) == []
    assert drafts.publish(draft.id, person("designer"), "安全隐患 1 小时").version.version == 2


def test_a_changed_gateway_condition_needs_its_flow_taken_or_a_recorded_reason(deployed):
    draft = draft_with({BPMN: condition_changed()})
    passing_run(draft.id, person("designer"), GENERAL)  # 交社区: the changed branch is not taken
    [gap] = drafts.uncovered(drafts.get(draft.id, person("designer")))
    assert (gap.kind, gap.element, gap.label) == ("flow", "flow_to_self", "网格可处置")
    with pytest.raises(Conflict) as refused:
        drafts.publish(draft.id, person("designer"), "网格可处置的条件放宽")
    assert "连线「网格可处置」没有被走过" in refused.value.message
    assert "the flow “网格可处置” was not taken" in refused.value.errors["coverage"][0]
    result = drafts.publish(draft.id, person("designer"), "网格可处置的条件放宽", "条件只是多认一个取值，已人工核对")
    assert result.version.version == 2
    stored = db.session.get(ProcessVersion, result.version.id)
    assert "条件只是多认一个取值，已人工核对" in stored.comment and stored.comment.startswith("网格可处置的条件放宽")
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.kind == "draft_published")).scalar_one()
    assert audit.detail["uncovered"]["reason"] == "条件只是多认一个取值，已人工核对"
    assert [g["element"] for g in audit.detail["uncovered"]["uncovered"]] == ["flow_to_self"]


def test_a_changed_task_must_be_reached_and_an_edit_starts_the_coverage_over(deployed):
    bpmn = sample_bundle()[BPMN]
    marker = b'<bpmn:userTask id="community_handle" name="'
    assert marker in bpmn
    changed = bpmn.replace(marker, b'<bpmn:userTask id="community_handle" completionQuantity="2" name="', 1)
    draft = draft_with({BPMN: changed})
    passing_run(draft.id, person("designer"))  # the minor report is handled by the grid
    assert [(g.kind, g.element) for g in drafts.uncovered(drafts.get(draft.id, person("designer")))] == [
        ("node", "community_handle")]
    passing_run(draft.id, person("designer"), GENERAL)
    assert drafts.uncovered(drafts.get(draft.id, person("designer"))) == []
    drafts.save_file(draft.id, DMN, safety_rule_changed(), person("designer"))  # an edit: runs start over
    passing_run(draft.id, person("designer"), SAFETY)
    current = drafts.get(draft.id, person("designer"))
    assert current.test_run["covered"] == {"nodes": [], "rules": []}
    assert drafts.uncovered(current) == []  # the safety report reaches the task and matches rule 2


def test_a_change_of_names_only_needs_no_coverage(deployed):
    renamed = sample_bundle()[BPMN].replace('name="社区处置"'.encode(), 'name="社区处置（改名）"'.encode())
    described = sample_bundle()[DMN].replace("安全隐患一律交社区".encode(), "安全隐患交社区".encode())
    draft = draft_with({BPMN: renamed, DMN: described})
    assert drafts.changes(draft)  # they are changes ...
    passing_run(draft.id, person("designer"))
    assert drafts.uncovered(drafts.get(draft.id, person("designer"))) == []  # ... that no path depends on


def test_the_instrumented_copy_adds_one_output_per_table_and_changes_nothing_else():
    files = coverage.instrument([(DMN, sample_bundle()[DMN]), (BPMN, sample_bundle()[BPMN])])
    assert files[1] == (BPMN, sample_bundle()[BPMN])
    text = files[0][1].decode()
    assert text.count(f'name="{coverage.RULE_HIT}"') == 1
    assert "<text>'minor_event_grading:rule_safety'</text>" in text
    assert coverage.hits({coverage.RULE_HIT: ["d:r1", "d:r2"]}) == {"d:r1", "d:r2"}
    assert coverage.hits({coverage.RULE_HIT: None}) == set()


def test_the_api_refuses_an_uncovered_publish_with_409_and_takes_a_reason(api):
    ok(api.deploy(sample_bundle()), 201)
    draft = ok(api.post("/drafts/from-version", "designer", {"key": "minor_event", "version": 1}), 201).get_json()
    ok(api.client.put(f"/api/v1/drafts/{draft['id']}/files/{DMN}", json={"content": safety_rule_changed().decode()},
                      headers=api.headers("designer")), 200)
    ok(api.post(f"/drafts/{draft['id']}/test-run", "designer", {"org_unit": "dc-dm-01", "data": REPORT}), 200)
    assert ok(api.post(f"/drafts/{draft['id']}/test-run/auto", "designer"), 200).get_json()["status"] == "completed"
    refused = ok(api.post(f"/drafts/{draft['id']}/publish", "designer", {"comment": "1 小时"}), 409).get_json()
    assert "没有被命中" in refused["message"] and "never matched" in refused["errors"]["coverage"][0]
    published = ok(api.post(f"/drafts/{draft['id']}/publish", "designer",
                            {"comment": "1 小时", "uncovered_reason": "上级要求今天生效"}), 201).get_json()
    assert published["version"] == 2
