"""第三方评估、反向考核 pages in Chromium on a 390×844 phone, as the real roles: the grid worker rates
both departments of a whistled case on the phone form in a few taps, the scores show on the
workspace, and the evaluator calls a resident back from the round's phone form and reads the
report. Nothing scrolls sideways and the labels are Chinese. Skipped, saying why, without Chromium."""

import re

import pytest

from tests.browser.conftest import log_in
from tests.support import ROOT, bundle, ok, only
from tests.test_event_handling import do, report
from workflow_app import demo
from workflow_app.extensions import db

POTHOLE, GARBAGE = "B0201-01", "E0101-01"
WORKER = "worker-dc-dm-01"


@pytest.fixture
def rated(api):
    return whistled(api)


def whistled(api):
    """Both departments handled a whistled case and the worker verified it: the rating is due."""
    with api.app.app_context():
        demo.seed_catalogue()
        db.session.remove()
    for key in ("event_handling", "case_rating", "third_party_evaluation"):
        ok(api.deploy(bundle(ROOT / "processes" / key)), 201)
    case = report(api, "dc-dm-01", POTHOLE)
    do(api, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"],
                                            "lead_department": "dept-zj", "dispatch_note": "联合处置"})
    for dept in ("dept-zj", "dept-cg"):
        do(api, f"{dept}-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
        do(api, f"{dept}-staff", case, "部门处置", {"handling_note": "已处置"})
    do(api, WORKER, case, "核查", {"verified": True})
    return api


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


CODES = re.compile(r"(?<![\w-])(qingxi|dc|dc-dm|dc-dm-0\d|dept-\w+|evaluator|worker-[\w-]+|supervisor)(?![\w-])")


def no_codes(shown: str) -> bool:
    """No unit code or username where people read names."""
    found = CODES.findall(shown)
    assert not found, found
    return True


def test_the_rating_is_done_on_the_phone_and_the_scores_show_on_the_workspace(page, rated):
    task = only(rated.tasks(WORKER, process_key="case_rating"))
    log_in(page, WORKER)
    page.goto(f"/tasks/{task['id']}")
    page.click("text=手机快速填写")
    page.wait_for_url(f"**/evaluation/rate/{task['id']}")
    assert "住房和城乡建设局" in page.inner_text("main") and "城市管理局" in page.inner_text("main")
    assert fits(page)
    for dept, scores in (("dept-zj", (5, 5, 4)), ("dept-cg", (3, 4, 3))):
        for field, score in zip(("accept", "communicate", "handle"), scores, strict=True):
            page.check(f"input[name='{dept}-{field}'][value='{score}']")
    page.fill("input[name='dept-zj-comment']", "响应快")
    page.click("form.rate button[type=submit]")
    page.wait_for_url("**/inbox")
    assert rated.tasks(WORKER, process_key="case_rating") == []

    page.context.clear_cookies()
    log_in(page, "supervisor")
    page.goto("/evaluation")
    text = page.inner_text("main")
    assert "反向考核：部门评价" in text and "住房和城乡建设局" in text and "4.67" in text and "3.33" in text
    assert fits(page)


def test_the_evaluator_calls_back_from_the_phone_and_reads_the_round_report(page, rated):
    case = report(rated, "dc-dm-02", GARBAGE, contact_phone="13900139000")
    do(rated, "worker-dc-dm-02", case, "网格自行处置", {"handling_note": "已清扫", "before_photos": ["uploads/a.jpg"],
                                                     "after_photos": ["uploads/b.jpg"]})
    log_in(page, "evaluator")
    page.goto("/evaluation")
    assert no_codes(page.inner_text("main")) and fits(page)
    assert "东门社区" in page.inner_text("#r-scope") and "dc-dm" not in page.inner_text("#r-scope")
    page.select_option("#r-scope", "dc-dm")
    page.fill("#r-period", page.evaluate("new Date().toISOString().slice(0, 7)"))
    page.fill("#r-min", "1")
    page.click("text=抽样并开启")
    page.wait_for_url("**/evaluation/rounds/*")
    assert "第三方评估报告" in page.inner_text("main") and fits(page)
    report_page = page.url
    main = page.inner_text("main")
    assert "回访队列（2）" in main and "东门社区第2网格" in main and no_codes(main)
    callback = [t for t in rated.tasks("evaluator", process_key="third_party_evaluation") if t["name"] == "回访群众"]
    assert len(callback) == 2
    page.click(f".queue li:has-text('#{case}') a.button")  # from the round's callback queue
    page.wait_for_url("**/evaluation/callback/*")
    assert "13900139000" in page.inner_text("main") and fits(page) and no_codes(page.inner_text("main"))
    page.click("text=登记回访")  # nothing chosen: refused, not recorded as "not reached"
    assert "是否接通" in page.inner_text(".error.flash") and "/evaluation/callback/" in page.url
    page.check("input[name=reached][value=yes]")
    page.check("input[name=solved][value=no]")
    page.check("input[name=satisfaction][value=不满意]")
    page.fill("#cb-comment", "垃圾仍在")
    page.click("text=登记回访")
    page.wait_for_url("**/evaluation/rounds/*")  # back on the round's queue, for the next call
    page.goto("/evaluation/mismatches")
    assert f"#{case}" in page.inner_text("main") and "垃圾仍在" in page.inner_text("main")
    assert fits(page) and no_codes(page.inner_text("main"))
    page.goto(report_page)
    assert "回访不符" in page.inner_text(".queue") and page.locator(".queue a.button").count() == 1
    assert fits(page) and no_codes(page.inner_text("main"))


def test_a_partial_rating_says_which_unit_and_step_in_chinese(rated):
    """Over the web form (no browser needed): a missing score is named by the department and the
    step, never as a validator's English sentence about a key."""
    from tests.test_web_pages import login, post, text

    task = only(rated.tasks(WORKER, process_key="case_rating"))
    browser = login(rated.app, WORKER)
    answer = ok(post(browser, f"/evaluation/rate/{task['id']}", {"dept-zj-accept": "5"}), 422)
    shown = text(answer)
    assert "住房和城乡建设局 · 沟通" in shown and "请选择 1–5 分" in shown
    assert "is not of type" not in shown and "ratings." not in shown


def test_the_town_nominates_and_the_county_approves_the_honours_on_the_phone(page, rated):
    from tests.test_evaluation_honours import thresholds

    thresholds(rated, {"composite": 0, "满意率": None})
    ok(rated.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    period = ok(rated.get("/honours", "supervisor", query_string={"org_unit": "qingxi"})).get_json()["period"]
    ok(rated.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": period}), 201)
    task = only(rated.tasks("leader-dc", process_key="honour_nomination"), "推荐荣誉候选")
    log_in(page, "leader-dc")
    page.goto(f"/tasks/{task['id']}")
    page.click("text=手机快速填写")
    page.wait_for_url(f"**/evaluation/honours/task/{task['id']}")
    main = page.inner_text("main")
    assert "东门社区第1网格" in main and "东城街道" in main and no_codes(main) and fits(page)
    page.check("input[name=withhold][value='dc-dm-01']")
    page.click("form.honours button[type=submit]")  # no reason: refused, in Chinese, the ticks kept
    assert "暂缓理由" in page.inner_text(".error.flash") and page.is_checked("input[value='dc-dm-01']")
    page.uncheck("input[value='dc-dm-01']")
    page.click("form.honours button[type=submit]")
    page.wait_for_url("**/inbox")
    page.context.clear_cookies()
    approve = only(rated.tasks("supervisor", process_key="honour_nomination"), "审定荣誉")
    log_in(page, "supervisor")
    page.goto(f"/evaluation/honours/task/{approve['id']}")
    assert "东门社区第1网格" in page.inner_text("main") and fits(page) and no_codes(page.inner_text("main"))
    page.click("form.honours button[type=submit]")
    page.wait_for_url("**/inbox")
    page.goto(f"/evaluation/honours?period={period}")
    assert "东门社区第1网格" in page.inner_text("main") and fits(page)
