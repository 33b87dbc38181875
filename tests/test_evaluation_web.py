"""第三方评估 pages through the Flask test client, as the real roles: the evaluator opens a round
from the workspace and reads its report (page, PDF, XLSX, in Chinese and English), a person's
points page with a redemption, the honours roll for a resident, and the rating link on the task page."""

from tests.support import ok
from tests.test_evaluation_rounds import clock_fixture, closed_fixture, events_fixture  # noqa: F401 - fixtures
from tests.test_web_pages import login, post, text

EVALUATOR_USER = "evaluator"


def test_the_evaluator_opens_a_round_from_the_workspace_and_reads_the_report(closed):
    api, _cases = closed
    evaluator = login(api.app, "evaluator")
    workspace = text(evaluator.get("/evaluation"))
    assert "开启评估轮次" in workspace and "反向考核：部门评价" in workspace
    opened = post(evaluator, "/evaluation/rounds", {"scope": "dc", "period": "2026-03", "share": "10",
                                                    "minimum": "1", "seed": "web"})
    assert opened.status_code == 302 and "/evaluation/rounds/" in opened.headers["Location"]
    page = text(ok(evaluator.get(opened.headers["Location"])))
    assert "第三方评估报告" in page and "随机种子 web" in page and "下载 PDF" in page
    english = text(ok(evaluator.get(opened.headers["Location"] + "?lang=en")))
    assert "Third-party evaluation report" in english and "Results per grid" in english
    pdf = ok(evaluator.get(opened.headers["Location"] + "/report.pdf"))
    assert pdf.data.startswith(b"%PDF")
    assert ok(evaluator.get(opened.headers["Location"] + "/report.xlsx")).data[:2] == b"PK"
    task = next(t for t in api.tasks("evaluator", process_key="third_party_evaluation") if t["name"] == "回访群众")
    assert "/evaluation/callback/" in text(ok(evaluator.get(f"/tasks/{task['id']}")))
    form = text(ok(evaluator.get(f"/evaluation/callback/{task['id']}?lang=zh")))
    assert "13800138000" in form and "登记回访" in form
    resident = login(api.app, "resident-dc-dm")
    assert "本期还没有反向评价" not in text(ok(resident.get("/evaluation")))  # no figures for a resident
    assert resident.get(opened.headers["Location"]).status_code == 404


def test_points_and_honours_pages(closed):
    api, _cases = closed
    worker = login(api.app, "worker-dc-dm-01")
    page = text(ok(worker.get("/evaluation/points")))
    assert "余额" in page and "上报事件经核实立案" in page
    redeemed = post(worker, "/evaluation/points/redeem", {"points": "3", "item": "毛巾"})
    assert redeemed.status_code == 302
    assert "毛巾" in text(ok(worker.get("/evaluation/points")))
    refused = post(worker, "/evaluation/points/redeem", {"points": "999", "item": "电视"})
    assert refused.status_code == 302 and "电视" not in text(ok(worker.get("/evaluation/points")))
    roll = text(ok(login(api.app, "resident-dc-dm").get("/evaluation/honours?period=2026-03")))
    assert "荣誉榜" in roll and "本期尚未公布" in roll and "候选（全部达标" not in roll


def _flashed(browser, response) -> str:
    assert response.status_code == 302
    return text(ok(browser.get(response.headers["Location"])))


def test_service_errors_are_said_in_the_pages_language_with_peoples_and_units_names(closed):
    api, _cases = closed
    worker = login(api.app, "worker-dc-dm-01")
    name = "东门社区第1网格网格员"
    balance = ok(api.get("/points", "worker-dc-dm-01")).get_json()["balance"]
    api_refusal = api.post("/points/redemptions", "worker-dc-dm-01", json={"points": 999, "item": "电视"})
    assert api_refusal.status_code == 422 and api_refusal.get_json()["reason"] == "insufficient_points"
    zh = _flashed(worker, post(worker, "/evaluation/points/redeem", {"points": "999", "item": "电视"}))
    assert f"{name}的积分余额为 {balance} 分，不足 999 分" in zh and "worker-dc-dm-01 has" not in zh
    ok(worker.get("/evaluation/points?lang=en"))
    en = _flashed(worker, post(worker, "/evaluation/points/redeem", {"points": "999", "item": "电视"}))
    assert f"{name} has {balance} points, fewer than 999" in en and "worker-dc-dm-01 has" not in en

    evaluator = login(api.app, "evaluator")
    opening = {"scope": "dc", "share": "10", "minimum": "1"}
    bounds = _flashed(evaluator, post(evaluator, "/evaluation/rounds", {**opening, "period": "1999-03"}))
    assert "年份须在 2000 至 2100 之间" in bounds and "the year must be" not in bounds
    empty = _flashed(evaluator, post(evaluator, "/evaluation/rounds", {**opening, "period": "2026-01"}))
    assert "东城街道2026年1月没有已结案的案件" in empty and "under dc" not in empty
    month = text(evaluator.get("/evaluation/honours?period=2026-13"))
    assert "月份须为 01 至 12" in month
    ok(evaluator.get("/evaluation?lang=en"))
    bounds = _flashed(evaluator, post(evaluator, "/evaluation/rounds", {**opening, "period": "1999-03"}))
    assert "the year must be between 2000 and 2100" in bounds
    empty = _flashed(evaluator, post(evaluator, "/evaluation/rounds", {**opening, "period": "2026-01"}))
    assert "no case was closed in 2026-01 in " in empty and "under dc" not in empty
    assert "the month must be 01 to 12" in text(evaluator.get("/evaluation?period=2026-13"))


def test_a_callback_with_nothing_chosen_is_refused_everywhere_and_not_recorded_as_not_reached(closed):
    api, _cases = closed
    ok(api.post("/evaluation/rounds", EVALUATOR_USER, json={"scope": "dc", "period": "2026-03",
                                                           "sample": {"share": 0.1, "minimum": 1}}), 201)
    task = next(t for t in api.tasks(EVALUATOR_USER, process_key="third_party_evaluation") if t["name"] == "回访群众")
    assert api.complete(task["id"], EVALUATOR_USER, {}).status_code == 422  # the API
    assert api.complete(task["id"], EVALUATOR_USER, {"callback_comment": "无人接听"}).status_code == 422
    evaluator = login(api.app, EVALUATOR_USER)
    quick = post(evaluator, f"/evaluation/callback/{task['id']}", {})  # the phone form
    assert quick.status_code == 422 and "是否接通" in text(quick)
    generic = post(evaluator, f"/tasks/{task['id']}/complete", {"reached": "", "solved": "", "callback_comment": ""})
    assert generic.status_code in (200, 422)  # the generic task page keeps the form with its error
    assert any(t["id"] == task["id"] for t in api.tasks(EVALUATOR_USER, process_key="third_party_evaluation"))
    detail = ok(api.get("/evaluation/rounds", EVALUATOR_USER)).get_json()[0]
    assert detail["progress"]["called"] == 0 and detail["progress"]["reached"] == 0


def test_the_round_page_lists_the_callback_queue_by_name_and_the_workspace_offers_scopes_by_name(closed):
    api, _cases = closed
    created = ok(api.post("/evaluation/rounds", EVALUATOR_USER, json={
        "scope": "dc", "period": "2026-03", "sample": {"share": 0.1, "minimum": 1}}), 201).get_json()
    evaluator = login(api.app, EVALUATOR_USER)
    workspace = text(ok(evaluator.get("/evaluation")))
    assert '<option value="dc">' in workspace and "东城街道</option>" in workspace and "东门社区</option>" in workspace
    assert "单位编码" not in workspace
    page = text(ok(evaluator.get(f"/evaluation/rounds/{created['id']}")))
    assert "回访队列（3）" in page and page.count("/evaluation/callback/") == 3 and page.count("待回访") == 3
    assert "东门社区第1网格" in page and "北关社区第1网格" in page
    for code in ("dc-dm-01", "dc-dm-02", "dc-bg-01", "worker-dc", "qingxi"):
        assert f">{code}" not in page and f"{code}：" not in page and f" {code} " not in page
    task = next(t for t in api.tasks(EVALUATOR_USER, process_key="third_party_evaluation") if t["name"] == "回访群众")
    ok(api.complete(task["id"], EVALUATOR_USER, {"reached": False}))
    page = text(ok(evaluator.get(f"/evaluation/rounds/{created['id']}")))
    assert page.count("/evaluation/callback/") == 2 and page.count("待回访") == 2 and "未接通" in page


def test_the_survey_on_the_task_page_is_answered_by_choosing_1_to_5(closed):
    api, _cases = closed
    created = ok(api.post("/evaluation/rounds", EVALUATOR_USER, json={
        "scope": "dc", "period": "2026-03", "sample": {"share": 0.1, "minimum": 1}}), 201).get_json()
    tasks = api.tasks(EVALUATOR_USER, process_key="third_party_evaluation")
    task = next(t for t in tasks if t["name"] == "社会评价问卷")
    evaluator = login(api.app, EVALUATOR_USER)
    page = text(ok(evaluator.get(f"/tasks/{task['id']}")))
    assert page.count('type="radio" name="safety"') == 5 and "5 很满意" in page
    answers = {"safety": "5", "environment": "4", "service": "5", "worker": "4"}
    assert post(evaluator, f"/tasks/{task['id']}/complete", answers).status_code == 302
    detail = ok(api.get(f"/evaluation/rounds/{created['id']}", EVALUATOR_USER)).get_json()
    assert detail["progress"]["surveys"] == 1
    assert [g["survey"] for g in detail["scores"]["grids"] if g["survey"] is not None] == [90.0]


def test_the_sample_share_is_typed_as_a_percentage_and_kept_as_a_fraction(closed):
    api, _cases = closed
    evaluator = login(api.app, "evaluator")
    assert 'name="share" value="10"' in text(ok(evaluator.get("/evaluation")))
    opening = {"scope": "dc", "period": "2026-03", "minimum": "1", "seed": "pct"}
    refused = _flashed(evaluator, post(evaluator, "/evaluation/rounds", {**opening, "share": "150"}))
    assert "抽样比例须大于 0%、不超过 100%" in refused
    opened = post(evaluator, "/evaluation/rounds", {**opening, "share": "50"})
    page = text(ok(evaluator.get(opened.headers["Location"])))
    assert "每网格 50.0%" in page
