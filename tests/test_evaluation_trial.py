"""Findings of the new-user trial of 第三方评估: the points ledger reads newest first by date, a
callback that reached the resident needs the 解决 and 满意 answers, the round's 评估结论 is shown
on its page and in its files, and titles name people and units, never usernames."""

import io
from datetime import timedelta

import openpyxl
import pdfplumber

from tests.support import ok
from tests.test_evaluation_rounds import clock_fixture, closed_fixture, events_fixture, open_round  # noqa: F401
from tests.test_web_pages import login, post, text
from workflow_app import clock
from workflow_app.evaluation import points
from workflow_app.extensions import db
from workflow_app.models import PointsAccount, PointsEntry
from workflow_app.org import people

WORKER = "worker-dc-dm-01"


def test_the_points_ledger_is_newest_first_by_date(events):
    with events.app.app_context():
        person = people.get(WORKER)
        now = clock.now()
        db.session.add(PointsAccount(user_id=person.id, balance=3, earned=3, redeemed=0))
        for delta, days in ((1, -1), (1, -10), (1, -3)):  # written in this order, dated otherwise
            db.session.add(PointsEntry(user_id=person.id, delta=delta, balance=0, kind="earned", rule="r",
                                       item=f"{days}", source=f"t:{days}", at=now + timedelta(days=days)))
        db.session.commit()
    history = ok(events.get("/points", WORKER)).get_json()["history"]
    assert [h["item"] for h in history] == ["-1", "-3", "-10"]
    assert points.HISTORY > 3


def _callback_task(api) -> dict:
    ok(open_round(api, share=0.1, minimum=1), 201)
    return next(t for t in api.tasks("evaluator", process_key="third_party_evaluation") if t["name"] == "回访群众")


def test_a_reached_callback_needs_the_solved_and_satisfaction_answers(closed):
    api, _cases = closed
    task = _callback_task(api)
    refused = api.complete(task["id"], "evaluator", {"reached": True})
    assert refused.status_code == 422
    assert {"solved", "satisfaction"} <= set(refused.get_json()["errors"])
    evaluator = login(api.app, "evaluator")
    page = post(evaluator, f"/evaluation/callback/{task['id']}", {"reached": "yes", "attitude": "好",
                                                                  "callback_comment": "电话里说还有积水"})
    alert = text(page).split('role="alert"')[1].split("</div></div>")[0]
    assert page.status_code == 422 and "问题是否真正解决" in alert
    kept = text(page)  # what was chosen and typed is still there to finish
    assert 'name="reached" value="yes" checked' in kept and 'name="attitude" value="好" checked' in kept
    assert "电话里说还有积水</textarea>" in kept
    assert ok(api.complete(task["id"], "evaluator", {"reached": False}))  # not reached: nothing more to ask


def test_after_a_callback_the_evaluator_is_back_on_the_round(closed):
    api, _cases = closed
    task = _callback_task(api)
    evaluator = login(api.app, "evaluator")
    done = post(evaluator, f"/evaluation/callback/{task['id']}", {"reached": "yes", "solved": "yes",
                                                                   "satisfaction": "满意", "attitude": "好"})
    assert done.status_code == 302 and "/evaluation/rounds/" in done.headers["Location"]


def test_a_rounds_tasks_name_their_grid_and_its_conclusion_is_in_the_page_and_the_files(closed):
    api, _cases = closed
    created = ok(open_round(api, share=0.1, minimum=1), 201).get_json()
    calls = api.tasks("evaluator", process_key="third_party_evaluation")
    surveys = [t for t in calls if t["name"] == "社会评价问卷"]
    assert sorted(t["title"].split("社会评价：")[1] for t in surveys) == \
        ["东门社区第1网格", "东门社区第2网格", "北关社区第1网格", "北关社区第2网格"]
    assert all("回访：" in t["title"] for t in calls if t["name"] == "回访群众")
    survey_form = text(ok(login(api.app, "evaluator").get(f"/tasks/{surveys[0]['id']}")))
    assert "评估批次" not in survey_form and "网格名称" in survey_form
    for task in calls:
        values = {"reached": False} if task["name"] == "回访群众" else \
            {"safety": 5, "environment": 4, "service": 5, "worker": 4}
        ok(api.complete(task["id"], "evaluator", values))
    evaluator = login(api.app, "evaluator")
    page = text(ok(evaluator.get(f"/evaluation/rounds/{created['id']}")))
    assert 'id="close-round"' in page
    close = next(t for t in api.tasks("evaluator", process_key="third_party_evaluation") if t["name"] == "结束本轮评估")
    ok(api.complete(close["id"], "evaluator", {"summary": "北关社区接通率偏低，建议复核电话。"}))
    page = text(ok(evaluator.get(f"/evaluation/rounds/{created['id']}")))
    assert "评估结论" in page and "北关社区接通率偏低" in page and 'id="close-round"' not in page
    pdf = ok(evaluator.get(f"/evaluation/rounds/{created['id']}/report.pdf"))
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        assert "北关社区接通率偏低" in "".join(p.extract_text() or "" for p in document.pages)
    book = openpyxl.load_workbook(io.BytesIO(ok(evaluator.get(f"/evaluation/rounds/{created['id']}/report.xlsx")).data))
    overview = [list(r[:2]) for r in book["概况"].iter_rows(values_only=True)]
    assert ["评估结论", "北关社区接通率偏低，建议复核电话。"] in overview
    assert book["网格"]["B1"].value == "单位编码"
    cells = [c for row in book["网格员"].iter_rows(values_only=True) for c in row]
    assert "编码" not in cells and not any(isinstance(c, str) and c.startswith("worker-") for c in cells)
