"""第三方评估 pages through the Flask test client, as the real roles: the evaluator opens a round
from the workspace and reads its report (page, PDF, XLSX, in Chinese and English), a person's
points page with a redemption, the honours roll for a resident, and the rating link on the task page."""

from tests.support import ok
from tests.test_evaluation_rounds import clock_fixture, closed_fixture, events_fixture  # noqa: F401 - fixtures
from tests.test_web_pages import login, post, text


def test_the_evaluator_opens_a_round_from_the_workspace_and_reads_the_report(closed):
    api, _cases = closed
    evaluator = login(api.app, "evaluator")
    workspace = text(evaluator.get("/evaluation"))
    assert "开启评估轮次" in workspace and "反向考核：部门评价" in workspace
    opened = post(evaluator, "/evaluation/rounds", {"scope": "dc", "period": "2026-03", "share": "0.1",
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
