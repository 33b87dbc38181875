"""Defect 1: every shipped process opens in the modeler and deploys unchanged. bpmn-js used to drop
the multi-instance loopDataInputRef/loopDataOutputRef of 事件处置's whistle step (refused at
"第 315 行"); now the modeler knows the spiffworkflow moddle extension and keeps what it cannot
resolve, and the stored XML is semantically equal to the shipped file: the same elements,
extensions and loop data."""

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.conftest import log_in
from tests.support import bundle, ok
from workflow_app.extensions import db
from workflow_app.models import ProcessVersion
from workflow_app.web.bpmndiff import semantic

ROOT = Path(__file__).resolve().parent.parent.parent
DESKTOP = {"width": 1366, "height": 900}
SHIPPED = sorted(p for p in (ROOT / "processes").glob("*/*.bpmn"))
# the dc variant of 事件处置 (its own file is the DMN; the BPMN is the merged one it runs)
VARIANTS = [("event_handling", "dc", "event_handling.bpmn")]


def deploy_all(api) -> None:
    """Every shipped process bundle (a directory holding a .bpmn), then the dc variant."""
    for directory in sorted({path.parent for path in SHIPPED}):
        ok(api.deploy(bundle(directory), key=directory.name), 201)
    ok(api.deploy(bundle(ROOT / "processes" / "localities" / "dc" / "event_handling"), locality="dc",
                  key="event_handling"), 201)


def newest(api, key: str, locality: str) -> ProcessVersion:
    with api.app.app_context():
        return db.session.execute(select(ProcessVersion).where(ProcessVersion.key == key,
                                                               ProcessVersion.locality == locality)
                                  .order_by(ProcessVersion.version.desc()).limit(1)).scalar_one()


def stored(api, key: str, locality: str, name: str) -> tuple[int, bytes]:
    with api.app.app_context():
        version = newest(api, key, locality)
        version = db.session.merge(version)
        return version.version, next(f.content for f in version.files if f.name == name)


def round_trip(page, api, key: str, locality: str, name: str) -> bytes:
    """Open the file in the modeler, save it unchanged as a draft, publish the draft; the stored XML."""
    before, original = stored(api, key, locality, name)
    page.goto(f"/designer/{key}/versions/{before}/edit?file={name}&locality={locality}")
    page.wait_for_selector("#modeler[data-ready='1'], #modeler[data-error]", timeout=30_000)
    assert page.get_attribute("#modeler", "data-error") is None, (name, page.get_attribute("#modeler", "data-error"))
    assert page.get_attribute("#modeler", "data-warnings") == "0", page.inner_text("#modeler-warnings")
    page.click("#save-draft")
    page.wait_for_url("**/designer/drafts/*")
    assert page.locator("#step-validate").inner_text() == "校验通过", page.inner_text("main")
    page.click("#publish")
    page.fill("#publish-comment", f"建模器往返：{name}")
    page.click("#publish-confirm")
    page.wait_for_url(f"**/designer/{key}")
    assert "已发布" in page.locator(".flash.ok").first.inner_text() or "内容没有变化" in page.inner_text(".flash.ok")
    after, content = stored(api, key, locality, name)
    assert after in (before, before + 1)
    if b"BPMNDiagram" in original:
        assert semantic(content) == semantic(original), name
    else:  # a file without a diagram gets one generated: the process itself is unchanged
        assert semantic(content)[:3] == semantic(original)[:3], name
        assert b"BPMNDiagram" in content
    return content


@pytest.fixture
def designer(page, api):
    deploy_all(api)
    page.set_viewport_size(DESKTOP)
    log_in(page, "designer")
    return page


def test_every_shipped_process_opens_in_the_modeler_and_deploys_unchanged(designer, api):
    assert len(SHIPPED) >= 9
    for path in SHIPPED:
        print("round trip", path.name)
        key = newest_key(api, path)
        content = round_trip(designer, api, key, "", path.name)
        if path.name == "event_handling.bpmn":
            assert b"<bpmn:loopDataInputRef>departments</bpmn:loopDataInputRef>" in content
            assert b"<bpmn:loopDataOutputRef>department_outcomes</bpmn:loopDataOutputRef>" in content
    for key, locality, name in VARIANTS:
        round_trip(designer, api, key, locality, name)


def newest_key(api, path: Path) -> str:
    """The process key of a shipped BPMN file (its directory's bundle)."""
    with api.app.app_context():
        keys = {v.key for v in db.session.execute(select(ProcessVersion)).scalars()
                if any(f.name == path.name for f in v.files)}
    assert len(keys) == 1, (path, keys)
    return keys.pop()


def test_the_flagship_round_trip_on_a_phone(page, api):
    """事件处置 at 390×844: it opens, nothing is lost, and the draft validates."""
    deploy_all(api)
    log_in(page, "designer")
    content = round_trip(page, api, "event_handling", "", "event_handling.bpmn")
    assert b"spiffworkflow:calledDecisionId" in content
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_unknown_spiffworkflow_elements_and_attributes_survive(designer, api):
    """Extension elements bpmn-js-spiffworkflow does not list (and foreign attributes) are kept."""
    before, original = stored(api, "minor_event", "", "minor_event.bpmn")
    extra = original.replace(
        b"<spiffworkflow:properties>",
        b'<spiffworkflow:futureThing mode="x"><spiffworkflow:part>kept</spiffworkflow:part></spiffworkflow:futureThing>'
        b"<spiffworkflow:properties>", 1)
    assert extra != original
    with api.app.app_context():
        from workflow_app import deployment

        files = [(f.name, f.content) for f in db.session.merge(newest(api, "minor_event", "")).files]
        files = [(n, extra if n == "minor_event.bpmn" else c) for n, c in files]
        deployment.deploy(files, actor=None, key="minor_event", comment="未知扩展")
    content = round_trip(designer, api, "minor_event", "", "minor_event.bpmn")
    assert b"futureThing" in content and b'mode="x"' in content and b">kept<" in content
