"""Issue 15: the platform's properties are groups of the modeler's properties panel
(bpmn-js-properties-panel), not a side panel of their own. A lane's role is a select of the
platform's roles by name; the time limit, a condition and a script are edited in the panel; each
edit is a bpmn-js command (undo works) and is saved as the spiffworkflow extension the engine reads."""

import re
from pathlib import Path

from sqlalchemy import select

from tests.browser.conftest import PHONE, fits, log_in, shot
from tests.support import bundle, ok
from workflow_app.extensions import db
from workflow_app.models.draft import ProcessDraft
from workflow_app.web.bpmndiff import semantic

ROOT = Path(__file__).resolve().parent.parent.parent
DESKTOP = {"width": 1366, "height": 900}
PANEL = "#properties .bio-properties-panel"


def open_event_handling(page, api, size=DESKTOP) -> None:
    ok(api.deploy(bundle(ROOT / "processes" / "event_handling"), key="event_handling"), 201)
    page.set_viewport_size(size)
    log_in(page, "designer")
    page.goto("/designer/event_handling/versions/1/edit")
    page.wait_for_selector("#modeler[data-ready='1']")


def choose(page, element_id: str) -> None:
    page.evaluate("""(id) => { const m = window.workflowModeler;
        m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)
    page.wait_for_function("(id) => (document.querySelector('#bio-properties-panel-id') || {}).value === id",
                           arg=element_id)


def field(name: str) -> str:
    return f"{PANEL} #bio-properties-panel-platform-{name}"


def type_into(page, name: str, value: str) -> None:
    page.fill(field(name), value)
    page.press(field(name), "Tab")  # the panel commits the (debounced) input on blur too


def saved_xml(page) -> str:
    return page.evaluate("() => window.workflowModeler.saveXML().then(r => r.xml)")


def same_process(xml: str, other: str) -> bool:
    return semantic(xml.encode()) == semantic(other.encode())


def element_xml(xml: str, tag: str, element_id: str) -> str:
    found = re.search(rf'<bpmn:{tag} id="{element_id}"(?:[^>]*?/>|[^>]*>.*?</bpmn:{tag}>)', xml, re.S)
    assert found, element_id
    return found.group(0)


def test_lane_role_sla_condition_and_script_are_edited_in_the_panel_and_saved(page, api):
    open_event_handling(page, api)
    assert page.locator("#platform-properties").count() == 0  # the old side panel is gone
    choose(page, "Lane_town")
    assert page.locator(f"{PANEL} [data-group-id='group-platform'] .bio-properties-panel-group-header-title"
                        ).inner_text() == "平台属性"
    role = field("role")
    assert page.input_value(role) == "town_dispatcher"
    labels = page.locator(f"{role} option").all_inner_texts()
    assert "镇街领导" in labels and "网格员" in labels and "town_leader" not in labels  # names, not codes
    page.select_option(role, label="镇街领导")
    shot(page, "designer-properties-lane")
    choose(page, "accept")
    assert page.input_value(field("sla")) == "1 work_hours"
    type_into(page, "sla", "3 work_hours")
    choose(page, "f_by_grid")
    assert page.input_value(field("condition")) == "reported_by_grid == True"
    type_into(page, "condition", "reported_by_grid == True and severity != \"major\"")
    choose(page, "community_calc")
    type_into(page, "script", "community_due = due_in(2, \"work_days\")")
    shot(page, "designer-properties-script")
    xml = saved_xml(page)
    assert '<spiffworkflow:property name="role" value="town_leader" />' in element_xml(xml, "lane", "Lane_town")
    assert '<spiffworkflow:property name="sla" value="3 work_hours" />' in element_xml(xml, "userTask", "accept")
    condition = 'reported_by_grid == True and severity != "major"</bpmn:conditionExpression>'
    assert condition in element_xml(xml, "sequenceFlow", "f_by_grid")
    assert 'community_due = due_in(2, "work_days")</bpmn:script>' in element_xml(xml, "scriptTask", "community_calc")
    page.click("#save-draft")
    page.wait_for_url("**/designer/drafts/*")
    assert page.locator("#step-validate").inner_text() == "校验通过", page.inner_text("main")
    draft = stored_draft(api)
    assert b'<spiffworkflow:property name="role" value="town_leader" />' in draft
    assert b'<spiffworkflow:property name="sla" value="3 work_hours" />' in draft
    assert b'community_due = due_in(2, "work_days")</bpmn:script>' in draft
    assert condition.encode() in draft


def stored_draft(api) -> bytes:
    with api.app.app_context():
        draft = db.session.execute(select(ProcessDraft).where(ProcessDraft.key == "event_handling")
                                   .order_by(ProcessDraft.id.desc()).limit(1)).scalar_one()
        return next(f.content for f in draft.files if f.name == "event_handling.bpmn")


def test_each_panel_edit_is_one_undoable_command(page, api):
    """A property the element lacks (its extension elements created too) comes and goes in one undo."""
    open_event_handling(page, api)
    choose(page, "Lane_reporter")
    assert page.input_value(field("role")) == "initiator"
    assert "发起人" in page.locator(f"{field('role')} option:checked").inner_text()
    choose(page, "f_by_grid")
    before = saved_xml(page)
    type_into(page, "condition", "")
    assert "reported_by_grid" not in element_xml(saved_xml(page), "sequenceFlow", "f_by_grid")
    page.evaluate("() => window.workflowModeler.get('commandStack').undo()")
    assert same_process(saved_xml(page), before)  # (bpmn-js may add the label's bounds to the layout)
    fresh = page.evaluate("""() => { const m = window.workflowModeler, registry = m.get('elementRegistry');
        const bo = m.get('bpmnFactory').create('bpmn:UserTask', { id: 'fresh_task' });
        const task = m.get('elementFactory').createShape({ type: 'bpmn:UserTask', businessObject: bo });
        const lane = registry.get('Lane_grid');
        return m.get('modeling').createShape(task, { x: lane.x + 400, y: lane.y + lane.height / 2 }, lane).id; }""")
    assert fresh == "fresh_task"
    choose(page, "fresh_task")
    with_task = saved_xml(page)
    assert "<bpmn:extensionElements>" not in element_xml(with_task, "userTask", "fresh_task")
    type_into(page, "sla", "2 work_days")
    assert 'name="sla" value="2 work_days"' in element_xml(saved_xml(page), "userTask", "fresh_task")
    page.evaluate("() => window.workflowModeler.get('commandStack').undo()")
    assert same_process(saved_xml(page), with_task)


def test_all_platform_properties_are_a_list_and_timers_have_the_panels_group(page, api):
    open_event_handling(page, api)
    choose(page, "accept")
    group = page.locator(f"{PANEL} [data-group-id='group-platform-properties-all']")
    assert "全部平台属性" in group.inner_text()
    assert group.locator(".bio-properties-panel-list-badge").inner_text() == "4"  # name_en, stage, stage_en, sla
    group.locator(".bio-properties-panel-add-entry").click()
    name = page.locator(f"{PANEL} input[id$='-name']").last
    name.wait_for()
    name.fill("notify_initiator")
    name.press("Tab")
    shot(page, "designer-properties-list")
    xml = element_xml(saved_xml(page), "userTask", "accept")
    assert '<spiffworkflow:property name="notify_initiator" value="?" />' in xml
    choose(page, "community_breach")
    assert page.locator(f"{PANEL} [data-group-id='group-timer']").count() == 1  # 定时: the panel's own group
    assert page.input_value(f"{PANEL} #bio-properties-panel-timerEventDefinitionValue") == "community_due"


def test_english_mode_labels_the_platform_group_in_english(page, api):
    open_event_handling(page, api)
    page.goto("/designer/event_handling/versions/1/edit?lang=en")
    page.wait_for_selector("#modeler[data-ready='1']")
    choose(page, "Lane_town")
    assert page.locator(f"{PANEL} [data-group-id='group-platform']").inner_text().startswith("Platform properties")
    shot(page, "designer-properties-english")
    assert "Town leader" in page.locator(f"{field('role')} option").all_inner_texts()
    assert page.locator(f"{PANEL} label[for='bio-properties-panel-platform-scope_level']").inner_text() == "Unit level"


def test_the_panel_fits_a_phone(page, api):
    open_event_handling(page, api, PHONE)
    choose(page, "accept")
    page.locator(field("sla")).scroll_into_view_if_needed()
    shot(page, "designer-properties-phone")
    assert fits(page)
    box = page.locator(field("sla")).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
