"""The evaluation tasks on a 390×844 phone in Chromium: the generic task page of the honours review
and approval shows the candidates under the form's titles in a table that scrolls inside its own box
(never the page), so does any wide structured table; the rating's 评分 list is filled in on the
generic page row by row with errors naming the unit; and the quick forms (rating, callback, honours)
keep what was typed across a reload, per task and person, until it is sent."""

import json

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_evaluation_pages import WORKER, fits, no_codes, whistled
from tests.models import script_task, simple, user_task
from tests.support import ok, only
from tests.test_event_handling import do, report
from tests.test_web_form_rows import _honours


@pytest.fixture(name="rated")
def rated_fixture(api):
    return whistled(api)


SCROLLS = """sel => { const box = document.querySelector(sel);
  return [box.scrollWidth, box.clientWidth, getComputedStyle(box).overflowX]; }"""


def _saved(page, typed: str) -> None:
    """Wait until the draft holds what was typed (it is saved a moment after the typing stops)."""
    page.wait_for_function("t => Object.keys(localStorage).some(k => k.startsWith('wf-draft:task-')"
                           " && localStorage.getItem(k).includes(t))", arg=typed)


def _drafts(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('wf-draft:'))")


def test_the_honours_review_and_approval_pages_read_on_a_phone(page, rated):
    task = _honours(rated)
    log_in(page, "leader-dc")
    page.goto(f"/tasks/{task['id']}")
    review = page.locator("[data-field=review]")
    assert review.locator("th").all_inner_texts() == ["荣誉", "对象", "所在单位", "综合得分", "达标指标"]
    assert "100.0" in review.inner_text() and "composite" not in review.inner_text()
    assert no_codes(page.inner_text("#task-form")) and fits(page)
    wide, box, overflow = page.evaluate(SCROLLS, "[data-field=review] .table-wrap")
    assert overflow == "auto" and box <= 390
    page.check("[data-field=town_withheld] input[value='dc-dm-01']")
    page.click("#task-form button[type=submit]")  # no reason: refused
    page.wait_for_selector(".field-errors")
    assert page.is_checked("[data-field=town_withheld] input[value='dc-dm-01']") and fits(page)
    page.fill("#f-town_withheld_reason", "整改未完成")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    for town in ("xs", "nh"):
        for left in rated.tasks(f"leader-{town}", process_key="honour_nomination"):
            ok(rated.complete(left["id"], f"leader-{town}", {}))
    approve = only(rated.tasks("supervisor", process_key="honour_nomination"), "审定荣誉")
    page.context.clear_cookies()
    log_in(page, "supervisor")
    page.goto(f"/tasks/{approve['id']}")
    text = page.inner_text("#task-form")
    assert "镇街暂缓的候选及理由" in text and "整改未完成" in text and "东城街道" in text
    assert "composite" not in text and no_codes(text) and fits(page)


WIDE = 'rows = [{' + ", ".join(f'"c{n}": "第{n}列的一段相当长的说明文字没有空格"' for n in range(8)) + '}]'
WIDE_FORM = {"type": "object", "title": "宽表", "properties": {
    "rows": {"type": "array", "title": "明细", "readOnly": True, "items": {"type": "object", "properties": {
        f"c{n}": {"type": "string", "title": f"第{n}列"} for n in range(8)}}},
    "note": {"type": "string", "title": "备注"}}}


def test_any_wide_structured_table_scrolls_inside_its_box(page, api):
    bpmn = simple("wide_view", script_task("prepare", WIDE.replace('"', "&quot;")),
                  user_task("look", "查看明细", form="wide_form.json"))
    ok(api.deploy({"wide_view.bpmn": bpmn, "wide_form.json": json.dumps(WIDE_FORM, ensure_ascii=False).encode()}),
       201)
    case = ok(api.start("wide_view", "dc-dm-01", {}, WORKER), 201).get_json()["id"]
    task = only(api.tasks(WORKER, instance_id=case))
    log_in(page, WORKER)
    page.goto(f"/tasks/{task['id']}")
    wide, box, overflow = page.evaluate(SCROLLS, "[data-field=rows] .table-wrap")
    assert fits(page) and overflow == "auto" and wide > box  # the table scrolls, not the page
    page.goto(f"/cases/{case}")
    assert fits(page)


def test_the_rating_is_filled_in_row_by_row_on_the_generic_page(page, rated):
    task = only(rated.tasks(WORKER, process_key="case_rating"))
    log_in(page, WORKER)
    page.goto(f"/tasks/{task['id']}")
    groups = page.locator("[data-field=ratings] fieldset.row-group legend")
    assert groups.all_inner_texts() == ["住房和城乡建设局", "城市管理局"] and fits(page)
    for row, scores in enumerate(((5, 5, 4), (3, 4, 3))):
        for field, score in zip(("accept", "communicate", "handle"), scores, strict=True):
            if (row, field) != (1, "communicate"):
                page.fill(f"#f-ratings-{row}-{field}", str(score))
    page.fill("#f-ratings-0-comment", "响应快")
    page.click("#task-form button[type=submit]")
    page.wait_for_selector(".field-errors")
    assert page.inner_text("[data-field='ratings.1.communicate'] .field-errors") == "城市管理局 · 沟通：此项必填"
    assert page.input_value("#f-ratings-0-comment") == "响应快" and fits(page)
    page.fill("#f-ratings-1-communicate", "4")
    page.click("#task-form button[type=submit]")
    page.wait_for_url("**/inbox")
    given = rated.instance(task["instance_id"])["data"]["ratings"]
    assert [(r["subject"], r["communicate"]) for r in given] == [("dept-zj", 5), ("dept-cg", 4)]


def test_the_quick_rating_form_keeps_a_draft_across_a_reload(page, rated):
    task = only(rated.tasks(WORKER, process_key="case_rating"))
    log_in(page, WORKER)
    page.goto(f"/evaluation/rate/{task['id']}")
    assert page.is_hidden("[data-draft-note]")
    tops = page.evaluate("[...document.querySelectorAll(\"input[name='dept-zj-accept']\")]"
                         ".map(e => e.getBoundingClientRect().top)")
    assert len(tops) == 5 and len(set(tops)) == 1  # 1–5 side by side, one tap each
    page.check("input[name='dept-zj-accept'][value='4']")
    page.fill("input[name='dept-cg-comment']", "沟通及时")
    _saved(page, "沟通及时")
    page.reload()
    assert page.is_checked("input[name='dept-zj-accept'][value='4']")
    assert page.input_value("input[name='dept-cg-comment']") == "沟通及时" and page.is_visible("[data-draft-note]")
    [key] = _drafts(page)
    assert key.startswith(f"wf-draft:task-{task['id']}-user-") and fits(page)
    for dept in ("dept-zj", "dept-cg"):
        for field in ("accept", "communicate", "handle"):
            page.check(f"input[name='{dept}-{field}'][value='4']")
    page.click("form.rate button[type=submit]")
    page.wait_for_url("**/inbox")
    assert _drafts(page) == []


def test_the_quick_callback_and_honours_forms_keep_drafts_across_a_reload(page, rated):
    case = report(rated, "dc-dm-02", "E0101-01", contact_phone="13900139000")
    do(rated, "worker-dc-dm-02", case, "网格自行处置", {"handling_note": "已清扫", "before_photos": ["uploads/a.jpg"],
                                                     "after_photos": ["uploads/b.jpg"]})
    log_in(page, "evaluator")
    month = page.evaluate("new Date().toISOString().slice(0, 7)")
    ok(rated.post("/evaluation/rounds", "evaluator", json={"scope": "dc-dm", "period": month,
                                                           "sample": {"share": 1, "minimum": 1}}), 201)
    call = next(t for t in rated.tasks("evaluator", process_key="third_party_evaluation") if t["name"] == "回访群众")
    page.goto(f"/evaluation/callback/{call['id']}")
    page.check("input[name=reached][value=yes]")
    page.fill("#cb-comment", "群众说还要再看看")
    _saved(page, "群众说还要再看看")
    page.reload()
    assert page.is_checked("input[name=reached][value=yes]") and page.input_value("#cb-comment") == "群众说还要再看看"
    assert page.is_visible("[data-draft-note]") and fits(page)
    assert _drafts(page) == [f"wf-draft:task-{call['id']}-user-" + _drafts(page)[0].rsplit("-user-", 1)[1]]

    task = _honours(rated)
    page.click("form[data-logout] button")
    page.wait_for_url("**/login*")
    assert _drafts(page) == []  # logging out leaves no one's drafts on a shared phone
    log_in(page, "leader-dc")
    page.goto(f"/evaluation/honours/task/{task['id']}")
    page.check("input[name=withhold][value='dc-dm-01']")
    page.fill("#h-reason", "整改未完成")
    _saved(page, "整改未完成")
    page.reload()
    assert page.is_checked("input[name=withhold][value='dc-dm-01']") and page.input_value("#h-reason") == "整改未完成"
    assert page.is_visible("[data-draft-note]") and fits(page)
    page.click("form.honours button[type=submit]")
    page.wait_for_url("**/inbox")
    assert _drafts(page) == []
