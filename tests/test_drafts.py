"""Drafts: a designer's changes are saved, not live; validated like a deploy; test-run in a
sandbox that leaves no trace; published only by a designer, with a comment, after validating."""

import json
import re

import pytest
from lxml import etree
from sqlalchemy import func, select

from tests.support import ok, sample_bundle
from workflow_app import drafts
from workflow_app.drafts import testrun
from workflow_app.errors import BundleInvalid, Conflict, Forbidden, InvalidInput, NotFound
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


def passing_run(draft_id: int, actor: User, data: dict | None = None) -> dict:
    """A test run of the draft played to the end with sample data (what publishing needs)."""
    testrun.start(draft_id, actor, "dc-dm-01", data or REPORT)
    run = testrun.auto(draft_id, actor)
    assert run["status"] == "completed", run.get("failure")
    return run


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
    passing_run(draft.id, person("designer"))
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


def test_publishing_needs_a_test_run_of_exactly_this_content_that_reached_the_end(deployed):
    """Issue 15: a draft could be published without any test run (only a failed one blocked), and
    the next real case went to 出错. Now the run must be of this very content and reach the end."""
    designer = person("designer")
    draft = drafts.from_version("minor_event", 1, "", designer, {BPMN: renamed()})

    def refused(why: str) -> None:
        with pytest.raises(Conflict) as error:
            drafts.publish(draft.id, designer, "社区处置改名")
        assert error.value.message.startswith("请先试运行此版本并通过：") and why in error.value.message
        assert versions() == [1]

    refused("还没有测试运行")
    testrun.start(draft.id, designer, "dc-dm-01", REPORT)
    refused("还没有走完")
    assert testrun.auto(draft.id, designer)["status"] == "completed"
    second = renamed().replace("社区处置（草稿）".encode(), "社区处置（二稿）".encode())
    drafts.save_file(draft.id, BPMN, second, designer)
    refused("又有改动")
    run = passing_run(draft.id, designer)
    result = drafts.publish(draft.id, designer, "社区处置改名")
    assert result.version.version == 2
    [event] = db.session.execute(select(AuditEvent).where(AuditEvent.kind == "draft_published")).scalars()
    assert event.detail["test_run"] == run["started_at"]


def reserialised(name: str, content: bytes) -> bytes:
    """The file as another tool saves it: single quotes, other indentation, attributes in reverse
    order, other namespace prefixes, another XML declaration; for a form, other JSON spacing."""
    if name.endswith(".json"):
        return json.dumps(json.loads(content), ensure_ascii=False, separators=(" ,", ":  ")).encode()
    root = etree.fromstring(content)
    for element in root.iter():
        if isinstance(element.tag, str):
            items = list(element.attrib.items())
            element.attrib.clear()
            for key, value in reversed(items):
                element.set(key, value)
        if element.text is not None and not element.text.strip():
            element.text = "\n\t\t"
        if element.tail is not None and not element.tail.strip():
            element.tail = "\n   "
    text = re.sub(r'="([^"\']*)"', r"='\1'", etree.tostring(root, encoding="unicode"))
    if name.endswith(".dmn"):  # default namespace -> a prefix
        text = text.replace("xmlns='https://www.omg.org/spec/DMN/20191111/MODEL/'",
                            "xmlns:dm='https://www.omg.org/spec/DMN/20191111/MODEL/'")
        text = re.sub(r"<(/?)([A-Za-z][\w.-]*)(?=[\s/>])", r"<\1dm:\2", text)
    else:
        text = text.replace("bpmn:", "b:").replace("xmlns:bpmn=", "xmlns:b=")
    return ("<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n" + text).encode()


def test_an_unchanged_re_save_shows_no_changes_and_needs_no_test_run(api):
    """Issue 15: the publish page listed quoting/spacing-only differences of an unchanged re-save
    of 事件处置 (a shipped model) as changes. The diff is by meaning: no changes, and a draft that
    changes nothing that runs is published without a test run."""
    from tests.support import ROOT, bundle
    from tests.test_web_pages import login, text

    ok(api.deploy(bundle(ROOT / "processes" / "event_handling"), key="event_handling"), 201)
    with api.app.test_request_context():
        designer = person("designer")
        live = {f.name: f.content for f in db.session.execute(select(ProcessVersion)).scalar_one().files}
        again = {name: reserialised(name, content) for name, content in live.items()}
        assert all(again[name] != live[name] for name in live) and any(n.endswith(".json") for n in live)
        draft = drafts.from_version("event_handling", 1, "", designer, again)
        assert drafts.is_valid(draft), draft.validation
        assert drafts.changes(draft) == []
        draft_id = draft.id
    page = text(login(api.app, "designer").get(f"/designer/drafts/{draft_id}/publish"))
    assert "无变化" in page and 'id="test-required"' not in page
    with api.app.test_request_context():
        result = drafts.publish(draft_id, person("designer"), "用建模器重新保存")
        assert result.version.version == 2
        event = db.session.execute(select(AuditEvent).where(AuditEvent.kind == "draft_published")).scalar_one()
        assert event.detail["test_run"] == "unchanged"
        changed = {**again, "event_handling.bpmn": again["event_handling.bpmn"].replace(
            "name='上报事件'".encode(), "name='上报事件（改）'".encode())}
        assert changed["event_handling.bpmn"] != again["event_handling.bpmn"]
        draft = drafts.from_version("event_handling", 2, "", person("designer"), changed)
        [change] = drafts.changes(draft)
        assert change.elements.changed == ["report"] and len([x for x in change.lines if x[:1] in "+-"]) == 4
        with pytest.raises(Conflict):
            drafts.publish(draft.id, person("designer"), "开始事件改名")


def test_a_file_can_be_removed_from_a_draft_but_not_its_last_bpmn(deployed):
    """The web-UI issue: a draft could not lose a file (an obsolete form, a DMN no longer called).
    Removing one validates the draft again and the publish diff shows the removal; the draft's
    only BPMN file cannot go, and neither can a file it does not have or one of a closed draft."""
    designer = person("designer")
    draft = drafts.from_version("minor_event", 1, "", designer)
    with pytest.raises(Conflict) as refused:
        drafts.remove_file(draft.id, BPMN, designer)
    assert refused.value.message == drafts.LAST_BPMN[0] and refused.value.errors == {"file": [drafts.LAST_BPMN[1]]}
    with pytest.raises(NotFound):
        drafts.remove_file(draft.id, "nothing.json", designer)
    with pytest.raises(Forbidden):
        drafts.remove_file(draft.id, DMN, person("staff-dc-dm"))
    before = {f.name for f in draft.files}
    draft = drafts.remove_file(draft.id, DMN, designer)
    assert {f.name for f in draft.files} == before - {DMN}
    assert not drafts.is_valid(draft)  # the BPMN still calls the decision: validated again
    [change] = drafts.changes(draft)
    assert (change.name, change.change) == (DMN, "removed")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.kind == "draft_file_removed")).scalar_one()
    assert event.detail["file"] == DMN
    drafts.discard(draft.id, designer)
    with pytest.raises(Conflict):
        drafts.remove_file(draft.id, BPMN, designer)


def test_removing_a_variants_file_means_using_the_parents_again(deployed):
    """A variant holds only the files it changes: removing its own DMN from its draft takes the
    parent's back (published, the DMN is inherited again); the parent's BPMN cannot be removed
    from the merged bundle; a file only the variant has is removed for good."""
    from tests.test_deploy_variants import variant_dmn

    extra = "dc_old_grading.dmn"  # a decision no longer called
    old = sample_bundle()[DMN].replace(b'"minor_event_grading', b'"dc_old_grading').replace(
        b'"Definitions_minor_event_grading', b'"Definitions_dc_old_grading')
    ok(deployed.deploy({DMN: variant_dmn(), extra: old}, locality="dc", comment="东城街道", key="minor_event"), 201)
    designer = person("designer")
    draft = drafts.from_version("minor_event", 1, "dc", designer)
    assert {n: drafts.removal(draft, n) for n in (BPMN, DMN, extra)} == {
        BPMN: "parent", DMN: "inherit", extra: "remove"}
    with pytest.raises(Conflict) as refused:
        drafts.remove_file(draft.id, BPMN, designer)
    assert refused.value.message == drafts.PARENT_FILE[0]
    draft = drafts.remove_file(draft.id, DMN, designer)
    assert dict(drafts.files_of(draft))[DMN] == sample_bundle()[DMN] and drafts.is_valid(draft)
    draft = drafts.remove_file(draft.id, extra, designer)
    assert extra not in {f.name for f in draft.files} and drafts.is_valid(draft), draft.validation
    assert {(c.name, c.change) for c in drafts.changes(draft)} == {(DMN, "changed"), (extra, "removed")}
    passing_run(draft.id, designer)
    result = drafts.publish(draft.id, designer, "东城街道改回全县的决策表，删去旧表单")
    stored = {f.name: f for f in result.version.files}
    assert extra not in stored and stored[DMN].inherited and stored[BPMN].inherited
    assert stored[DMN].content == sample_bundle()[DMN]
