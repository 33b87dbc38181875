"""Appeals (申诉) over the API as the real roles: an upheld appeal changes the published figure
through an adjustment that names it (the figure before it stays reproducible), a refused one
records why, and an appeal past the working days after publication is not taken."""

import re

import pytest

from tests.support import ROOT, bundle, ok, only
from tests.support_indicators import BIN_FULL, at, clock_fixture, events_fixture, tick  # noqa: F401 - fixtures
from tests.test_event_handling import do, report

HEAD = "head-dc-dm"
APPEAL = {"period": "2026-03", "subject": "dc-dm-01", "indicator": "返工",
          "reason": "核查时垃圾已清运，系核查人员误判", "attachments": ["uploads/photo.jpg"]}


@pytest.fixture(name="appeals")
def appeals_fixture(events, clock):
    """A case of 东门社区 reworked once in March 2026; March is then frozen (published)."""
    ok(events.deploy(bundle(ROOT / "processes" / "evaluation_appeal")), 201)
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": False, "verify_note": "仍有垃圾"})
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "再次清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    clock.move_to(at(1, 10, month=4))
    tick(events)
    return events


def reworked(api, adjusted: bool = True) -> float:
    table = ok(api.get("/indicators", "supervisor", query_string={
        "org_unit": "dc-dm", "period": "2026-03", "level": "grid", "adjusted": str(adjusted).lower()})).get_json()
    return {row["subject"]: row for row in table["rows"]}["dc-dm-01"]["counts"]["返工"]


def test_an_upheld_appeal_changes_the_published_figure_through_an_adjustment(appeals):
    assert reworked(appeals) == 1 and ok(appeals.get("/indicators", "supervisor", query_string={
        "org_unit": "dc-dm", "period": "2026-03"})).get_json()["frozen"]
    assert appeals.start("evaluation_appeal", "dc-dm", {**APPEAL, "subject": "dc-bg-01"}, HEAD).status_code == 422
    started = ok(appeals.start("evaluation_appeal", "dc-dm", APPEAL, HEAD), 201).get_json()
    review = only(appeals.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    assert "Appeal: " in review["title_en"] and "2026-03" in review["title_en"]
    assert appeals.complete(review["id"], "supervisor", {"decision": "uphold",
                                                         "decision_reason": "照片证明已清运"}).status_code == 422
    ok(appeals.complete(review["id"], "supervisor", {"decision": "uphold", "delta": -1,
                                                     "decision_reason": "照片证明已清运，撤销返工"}))
    assert appeals.instance(started["id"])["status"] == "completed"
    assert reworked(appeals) == 0 and reworked(appeals, adjusted=False) == 1  # the figure before stays
    listed = ok(appeals.get("/indicators/adjustments", "supervisor",
                            query_string={"org_unit": "dc-dm", "period": "2026-03"})).get_json()
    assert [(a["indicator"], a["delta"]) for a in listed] == [("返工", -1.0)]
    assert f"申诉（案件 {started['id']}）" in listed[0]["reason"] and listed[0]["author"] == "supervisor"
    kinds = [e["kind"] for e in appeals.instance(started["id"])["history"]]
    assert "task_completed" in kinds


def test_a_refused_appeal_records_why_and_a_late_one_is_not_taken(appeals, clock):
    started = ok(appeals.start("evaluation_appeal", "dc-dm", APPEAL, HEAD), 201).get_json()
    review = only(appeals.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    ok(appeals.complete(review["id"], "supervisor", {"decision": "refuse", "decision_reason": "核查记录无误"}))
    detail = appeals.instance(started["id"])
    assert detail["status"] == "completed" and detail["data"]["decision_reason"] == "核查记录无误"
    assert reworked(appeals) == 1
    clock.move_to(at(20, 10, month=4))  # past 5 working days after the publication on 1 April
    late = ok(appeals.start("evaluation_appeal", "dc-dm", APPEAL, HEAD), 201).get_json()
    detail = appeals.instance(late["id"])
    assert detail["status"] == "completed" and detail["data"]["decision"] == "late"
    assert appeals.tasks("supervisor", process_key="evaluation_appeal") == []


def test_the_same_figure_cannot_be_appealed_twice_while_the_first_is_decided(appeals):
    first = ok(appeals.start("evaluation_appeal", "dc-dm", APPEAL, HEAD), 201).get_json()
    again = appeals.start("evaluation_appeal", "dc-dm", {**APPEAL, "reason": "再申诉一次"}, HEAD)
    assert again.status_code == 422 and "indicator" in again.get_json()["errors"]
    assert str(first["id"]) in again.get_json()["message"]
    ok(appeals.start("evaluation_appeal", "dc-dm", {**APPEAL, "indicator": "结案"}, HEAD), 201)  # another figure
    review = [t for t in appeals.tasks("supervisor", process_key="evaluation_appeal")
              if t["instance_id"] == first["id"]]
    ok(appeals.complete(review[0]["id"], "supervisor", {"decision": "refuse", "decision_reason": "证据不足"}))
    ok(appeals.start("evaluation_appeal", "dc-dm", {**APPEAL, "reason": "补充了照片"}, HEAD), 201)  # decided: may again


def test_in_english_the_review_names_the_indicator_and_the_counts_it_may_correct_in_english(appeals):
    from tests.test_web_pages import login, text

    ok(appeals.start("evaluation_appeal", "dc-dm", APPEAL, HEAD), 201)
    review = only(appeals.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    page = text(login(appeals.app, "supervisor").get(f"/tasks/{review['id']}?lang=en"))
    assert "Reworked" in page and ">返工<" not in page
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page.split('name="adjusted_count"')[1]
                         .split("</select>")[0])
    assert ("返工", "Reworked") in options  # the code stays the count's id; people read its name
