"""New-user trial findings on the diagrams and the designer, in Chromium at 1366×900: every case of
the shipped processes whose files have no layout draws its diagram (with the step marked), the
modeler, its properties panel and the decision-table editor speak Chinese, the palette does not
cover the start event, and the tab icon is served."""

import pytest
from sqlalchemy import select

from tests.browser.conftest import log_in
from tests.browser.test_evaluation_pages import whistled
from tests.support import ROOT, bundle, ok, sample_bundle
from workflow_app.extensions import db
from workflow_app.models import ProcessInstance

DESKTOP = {"width": 1366, "height": 900}
UNLAID = ("case_rating", "evaluation_appeal", "third_party_evaluation", "honour_nomination")
APPEAL = {"period": "2026-03", "subject": "dc-dm-01", "indicator": "返工", "reason": "核查时垃圾已清运"}


@pytest.fixture
def desk(browser, live):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def unlaid_cases(api) -> dict[str, int]:
    """A case of each shipped process without a diagram in its file."""
    whistled(api)  # a case_rating case waits for the worker's rating
    ok(api.deploy(bundle(ROOT / "processes" / "evaluation_appeal")), 201)
    ok(api.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    ok(api.start("evaluation_appeal", "dc-dm", APPEAL, "head-dc-dm"), 201)
    ok(api.start("third_party_evaluation", "dc", {}, "evaluator"), 201)
    ok(api.start("honour_nomination", "qingxi", {}, "supervisor"), 201)
    with api.app.app_context():
        return {key: db.session.execute(select(ProcessInstance.id).where(ProcessInstance.process_key == key)
                                        ).scalars().first() for key in UNLAID}


def test_every_shipped_process_without_a_layout_draws_on_its_case_page(desk, api):
    cases = unlaid_cases(api)
    log_in(desk, "admin")
    for key, case in cases.items():
        desk.goto(f"/cases/{case}")
        desk.wait_for_selector(".diagram[data-ready='1'], .diagram[data-error]")
        box = desk.locator(".diagram").first
        assert box.get_attribute("data-error") is None, (key, box.get_attribute("data-error"))
        assert "流程图加载失败" not in desk.inner_text("main"), key
        assert box.locator("svg .djs-element").count() > 3, key
        marked = box.locator("svg .m-active, svg .m-done, svg .m-failed").count()
        assert marked, key
    desk.goto(f"/cases/{cases['case_rating']}")
    desk.wait_for_selector(".diagram[data-ready='1']")
    assert desk.locator(".diagram svg .m-active").count() >= 1  # the rating waiting for the worker


def drilldown_titles(page) -> list[str]:
    return page.eval_on_selector_all(".bjs-drilldown", "els => els.map(e => e.title || e.getAttribute('title'))")


def test_the_drill_down_tooltip_is_chinese(desk, api):
    whistled(api)
    with api.app.app_context():
        case = db.session.execute(select(ProcessInstance.id).where(
            ProcessInstance.process_key == "event_handling")).scalars().first()
    log_in(desk, "admin")
    desk.goto(f"/cases/{case}")
    desk.wait_for_selector(".diagram[data-ready='1']")
    titles = drilldown_titles(desk)
    assert titles and all(t.startswith("打开 ") for t in titles), titles


def test_the_modeler_speaks_chinese_and_its_palette_leaves_the_start_event_free(desk, api):
    ok(api.deploy(sample_bundle()), 201)
    log_in(desk, "designer")
    desk.goto("/designer/minor_event/versions/1/edit")
    desk.wait_for_selector("#modeler[data-ready='1']")
    assert desk.get_attribute(".djs-palette .bpmn-icon-start-event-none", "aria-label") == "创建开始事件"
    start = desk.evaluate("""() => { const r = window.workflowModeler.get('elementRegistry');
        return r.filter(e => e.type === 'bpmn:StartEvent' && !e.labelTarget)[0].id; }""")
    shape = desk.locator(f".djs-element[data-element-id='{start}']").bounding_box()
    palette = desk.locator(".djs-palette").bounding_box()
    assert shape["x"] > palette["x"] + palette["width"], (shape, palette)
    desk.click(f".djs-element[data-element-id='{start}']")
    desk.wait_for_selector(".bio-properties-panel-group-header-title")
    groups = desk.locator(".bio-properties-panel-group-header-title").all_inner_texts()
    assert "常规" in groups and "General" not in groups, groups
    assert "说明" in groups and "Documentation" not in groups, groups
    assert desk.inner_text(".bio-properties-panel-header-type").strip().upper() == "开始事件"
    pad = desk.eval_on_selector_all(".djs-context-pad .entry",
                                    "els => els.map(e => e.getAttribute('aria-label') || e.title)")
    assert "追加任务" in pad and "删除" in pad, pad


def test_the_decision_table_editor_speaks_chinese(desk, api):
    ok(api.deploy(sample_bundle()), 201)
    log_in(desk, "designer")
    desk.goto("/designer/minor_event")
    desk.click("article[data-version='1'] >> text=新建草稿")
    desk.wait_for_url("**/designer/drafts/*")
    draft = desk.url.rstrip("/").split("/")[-1].split("?")[0]
    desk.goto(f"/designer/drafts/{draft}/edit?file=minor_event_grading.dmn")
    desk.wait_for_selector("#dmn-editor[data-ready='1']")
    shown = desk.inner_text("#dmn-editor")
    for zh in ("查看决策需求图", "命中策略", "当", "则"):
        assert zh in shown, (zh, shown[:400])
    for en in ("View DRD", "Hit policy", "When", "Then"):
        assert en not in shown, en
    desk.eval_on_selector("#dmn-editor th.output-cell .edit-button", "b => b.click()")  # the column's editor
    desk.wait_for_selector("#dmn-editor .dms-label >> text=输出名称")
    assert "Output name" not in desk.inner_text("#dmn-editor")


def test_english_keeps_the_libraries_own_words(desk, api):
    ok(api.deploy(sample_bundle()), 201)
    log_in(desk, "designer")
    desk.goto("/designer/minor_event/versions/1/edit?lang=en")
    desk.wait_for_selector("#modeler[data-ready='1']")
    assert desk.get_attribute("html", "lang") == "en"
    assert desk.get_attribute(".djs-palette .bpmn-icon-start-event-none", "aria-label") == "Create start event"


def test_the_tab_icon_is_served(desk, api):
    response = desk.request.get("/favicon.ico")
    assert response.status == 200 and response.headers["content-type"].startswith("image/")
