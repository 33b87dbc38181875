"""An upheld appeal never stores an impossible figure: a correction that would push a count
below 0, or a rate's numerator past its denominator (返工 2 of 应结案 1, like 4 satisfied of 3
verdicts), is refused on the correction field, in Chinese and in English, wherever the figure's
counts come from; a correction within the figure's counts is taken."""

from tests.support import ok, only
from tests.test_evaluation_appeals import APPEAL, HEAD, appeals_fixture, clock_fixture, events_fixture  # noqa: F401
from tests.test_web_pages import login, post, text
from workflow_app.evaluation import appeal_figures

UPHOLD = {"decision": "uphold", "decision_reason": "属实"}


def _adjustments(api) -> list:
    listed = ok(api.get("/indicators/adjustments", "supervisor",
                        query_string={"org_unit": "dc-dm", "period": "2026-03"})).get_json()
    return [(a["indicator"], a["delta"]) for a in listed]


def test_a_correction_past_the_figures_counts_is_refused_on_the_correction(appeals):
    ok(appeals.start("evaluation_appeal", "dc-dm", APPEAL, HEAD), 201)  # 返工 1 of 应结案 1
    review = only(appeals.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    too_many = appeals.complete(review["id"], "supervisor", {**UPHOLD, "delta": 1})
    assert too_many.status_code == 422 and list(too_many.get_json()["errors"]) == ["delta"]
    assert "返工 would be 2, more than 应结案 (1)" in too_many.get_json()["message"]
    below = appeals.complete(review["id"], "supervisor", {**UPHOLD, "delta": -2})
    assert below.status_code == 422 and "below 0" in below.get_json()["errors"]["delta"][0]
    supervisor = login(appeals.app, "supervisor")
    page = text(post(supervisor, f"/tasks/{review['id']}/complete", {"decision": "uphold", "delta": "1",
                                                                     "decision_reason": "属实"}))
    assert "按此调整量更正后，「返工」将为 2，超过「应结案」（1），返工率不能超过 100%" in page
    english = text(post(supervisor, f"/tasks/{review['id']}/complete?lang=en",
                        {"decision": "uphold", "delta": "-2", "decision_reason": "属实"}))
    assert "with this correction Reworked would be -1, below 0" in english
    assert _adjustments(appeals) == []  # nothing impossible was stored
    ok(appeals.complete(review["id"], "supervisor", {**UPHOLD, "delta": -1}))
    assert _adjustments(appeals) == [("返工", -1.0)]


def test_a_direct_adjustment_is_checked_the_same_way_and_a_summed_numerator_is_offered(appeals):
    body = {"subject": "dc-dm-01", "period": "2026-03", "indicator": "应结案", "delta": -1, "reason": "更正"}
    refused = appeals.post("/indicators/adjustments", "supervisor", json=body)  # 返工 1 of 应结案 0
    assert refused.status_code == 422 and "cannot pass 100%" in refused.get_json()["errors"]["delta"][0]
    ok(appeals.post("/indicators/adjustments", "supervisor", json={**body, "delta": 1}), 201)
    with appeals.app.app_context():
        assert appeal_figures.feeding_counts("满意率") == ["满意", "基本满意", "评价数"]
