"""Drafts: a designer's changes are saved, not live; validated like a deploy; test-run in a
sandbox that leaves no trace; published only by a designer, with a comment, after validating."""

import pytest
from sqlalchemy import func, select

from tests.support import ok, sample_bundle
from workflow_app import drafts
from workflow_app.drafts import testrun
from workflow_app.errors import BundleInvalid, Conflict, Forbidden, InvalidInput
from workflow_app.extensions import db
from workflow_app.models import (
    AuditEvent,
    CaseFact,
    EventCase,
    EventSubscription,
    HumanTask,
    Notification,
    ProcessInstance,
    ProcessVersion,
    User,
)

BPMN, DMN = "minor_event.bpmn", "minor_event_grading.dmn"
REPORT = {"category": "environment", "severity": "minor", "address": "东门路12号", "description": "路边垃圾堆放"}
TRACE = (ProcessInstance, HumanTask, CaseFact, Notification, EventSubscription, EventCase)


def person(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def counts() -> dict:
    found = {model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
             for model in TRACE}
    found["case audit"] = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id.is_not(None))).scalar_one()
    return found


def versions(key: str = "minor_event") -> list[int]:
    return list(db.session.execute(select(ProcessVersion.version).where(ProcessVersion.key == key)
                                   .order_by(ProcessVersion.version)).scalars())


@pytest.fixture
def deployed(api):
    ok(api.deploy(sample_bundle()), 201)
    with api.app.test_request_context():
        yield api


def renamed() -> bytes:
    return sample_bundle()[BPMN].replace('name="社区处置"'.encode(), 'name="社区处置（草稿）"'.encode())


def test_a_draft_is_saved_not_live(deployed):
    draft = drafts.from_version("minor_event", 1, "", person("designer"), {BPMN: renamed()})
    assert draft.status == "draft" and drafts.is_valid(draft)
    assert versions() == [1]  # nothing deployed
    [change] = drafts.changes(draft)
    assert change.name == BPMN and change.elements.changed == ["community_handle"]


def test_a_draft_with_a_broken_dmn_cannot_be_published(deployed):
    broken = sample_bundle()[DMN].replace(b"<decisionTable", b"<decisionTabel").replace(b"</decisionTable>",
                                                                                        b"</decisionTabel>")
    draft = drafts.from_version("minor_event", 1, "", person("designer"), {DMN: broken})
    assert not drafts.is_valid(draft)
    assert any(p["file"] == DMN for p in draft.validation["problems"])
    with pytest.raises(BundleInvalid):
        drafts.publish(draft.id, person("designer"), "坏的决策表")
    assert versions() == [1]
    assert drafts.get(draft.id, person("designer")).status == "draft"


def test_publishing_needs_the_designer_role_and_a_comment(deployed):
    draft = drafts.from_version("minor_event", 1, "", person("designer"), {BPMN: renamed()})
    with pytest.raises(Forbidden):
        drafts.publish(draft.id, person("staff-dc-dm"), "我来发布")
    with pytest.raises(InvalidInput):
        drafts.publish(draft.id, person("designer"), "  ")
    result = drafts.publish(draft.id, person("designer"), "社区处置改名")
    assert result.version.version == 2 and result.version.comment == "社区处置改名"
    published = drafts.get(draft.id, person("designer"))
    assert published.status == "published" and published.published_version_id == result.version.id
    with pytest.raises(Conflict):
        drafts.publish(draft.id, person("designer"), "再发一次")


def test_a_test_run_plays_the_draft_and_leaves_no_trace(deployed):
    draft = drafts.from_version("minor_event", 1, "", person("designer"), {BPMN: renamed()})
    before = counts()
    run = testrun.start(draft.id, person("designer"), "dc-dm-01", REPORT)
    assert run["status"] == "running" and [t["bpmn_id"] for t in run["ready"]] == ["self_handle"]
    assert run["path"][:2] == ["report", "grade"]
    run = testrun.auto(draft.id, person("designer"))
    assert run["status"] == "completed", run.get("failure")
    assert {"self_handle", "verify", "closed"} <= set(run["path"])
    assert counts() == before  # no case, task, fact, notification, subscription, event case or case audit
    assert versions() == [1]


def test_a_dmn_that_no_longer_matches_its_gateway_fails_the_test_run_and_blocks_publishing(deployed):
    """Defect 3: a DMN whose output no longer matched its gateway broke reporting for the county."""
    files = sample_bundle()
    bpmn = files[BPMN].replace(b'<bpmn:exclusiveGateway id="gw_level"', b'<bpmn:exclusiveGateway id="gw_level"')
    bpmn = bpmn.replace(b'<bpmn:sequenceFlow id="flow_to_community" name="\xe4\xba\xa4\xe7\xa4\xbe\xe5\x8c\xba" '
                        b'sourceRef="gw_level" targetRef="community_handle" />',
                        '<bpmn:sequenceFlow id="flow_to_community" name="交社区" sourceRef="gw_level" '
                        'targetRef="community_handle"><bpmn:conditionExpression>handling_level == "community"'
                        '</bpmn:conditionExpression></bpmn:sequenceFlow>'.encode())
    bpmn = bpmn.replace(b' default="flow_to_community"', b"")
    dmn = files[DMN].replace(b'<text>"grid"</text>', b'<text>"grid_self"</text>')
    draft = drafts.from_version("minor_event", 1, "", person("designer"), {BPMN: bpmn, DMN: dmn})
    assert drafts.is_valid(draft)  # it compiles: only running it shows the mismatch
    before = counts()
    run = testrun.start(draft.id, person("designer"), "dc-dm-01", REPORT)
    assert run["status"] == "error", run
    assert "gw_level" in str(run["failure"]), run["failure"]
    with pytest.raises(Conflict):
        drafts.publish(draft.id, person("designer"), "新的决策表")
    assert versions() == [1] and counts() == before


def test_a_test_run_checks_task_data_against_its_form(deployed):
    draft = drafts.from_version("minor_event", 1, "", person("designer"))
    run = testrun.start(draft.id, person("designer"), "dc-dm-01", REPORT)
    [task] = run["ready"]
    with pytest.raises(InvalidInput):
        testrun.complete(draft.id, person("designer"), task["id"], {"handling_note": ""})
    run = testrun.complete(draft.id, person("designer"), task["id"], task["sample"])
    assert "self_handle" in run["path"]


def test_a_test_run_moves_its_own_clock_to_fire_timers(deployed):
    draft = drafts.from_version("minor_event", 1, "", person("designer"))
    before = counts()
    run = testrun.start(draft.id, person("designer"), "dc-dm-01", {**REPORT, "severity": "general"})
    assert [t["bpmn_id"] for t in run["ready"]] == ["community_handle"]
    assert [t["bpmn_id"] for t in run["timers"]] == ["community_overdue"]
    run = testrun.fire_timers(draft.id, person("designer"))
    assert "community_overdue" in run["path"] and [t["bpmn_id"] for t in run["ready"]] == ["town_handle"]
    assert counts() == before


def test_a_changed_draft_needs_a_new_test_run(deployed):
    draft = drafts.from_version("minor_event", 1, "", person("designer"))
    run = testrun.start(draft.id, person("designer"), "dc-dm-01", REPORT)
    drafts.save_file(draft.id, BPMN, renamed(), person("designer"))
    with pytest.raises(Conflict):
        testrun.complete(draft.id, person("designer"), run["ready"][0]["id"], run["ready"][0]["sample"])


def test_a_test_run_is_sent_the_messages_and_signals_it_waits_for(deployed):
    from tests.test_messages import awaiting_reply, awaiting_storm

    designer = person("designer")
    before = counts()
    for name, content, kind, event, data in (
            ("await_reply.bpmn", awaiting_reply(), "message", "resident_reply", {"report_no": 7}),
            ("await_storm.bpmn", awaiting_storm(), "signal", "storm_warning", {})):
        draft = drafts.from_upload([(name, content)], designer, None, None)
        assert drafts.is_valid(draft), draft.validation
        run = testrun.start(draft.id, designer, "dc-dm-01", data)
        assert run["ready"] == [] and [(w["kind"], w["name"]) for w in run["waiting"]] == [(kind, event)]
        with pytest.raises(Conflict):
            testrun.deliver(draft.id, designer, kind, "nobody_waits_for_this", {})
        run = testrun.deliver(draft.id, designer, kind, event, {"answer": "已处理"})
        assert [t["bpmn_id"] for t in run["ready"]] == ["review"] and "wait" in run["path"]
        assert run["data"]["answer"] == "已处理"
    assert counts() == before
