"""Acceptance: a closed month is frozen; a later correction is an adjustment with its reason and
author (supervisors and evaluators only), shown beside the figure, while the frozen figures stay
reproducible; a case of the frozen month closed later counts in the month it closes."""

import pytest

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    LAMP,
    at,
    clock_fixture,
    do,
    events_fixture,
    report,
    row,
    table,
    tick,
    two_towns,
    verify,
)

CORRECTION = {"subject": "dc-dm-01", "period": "2026-03", "indicator": "结案", "delta": 1,
              "reason": "补录：3月30日纸质结案单未录入系统"}


@pytest.fixture
def frozen_march(events, clock):
    cases = two_towns(events, clock, 3)
    clock.move_to(at(25, 9))
    cases["open"] = report(events, "dc-dm-01", LAMP)  # due 30 March, still open at the month's end
    clock.move_to(at(1, 2, month=4))
    assert tick(events)["indicators"]["frozen"] == 1
    return cases


def _grid(api, **query) -> dict:
    return row(table(api, org_unit="dc-dm", period="2026-03", level="grid", **query), "dc-dm-01")


def test_a_correction_after_the_close_is_an_adjustment_and_the_frozen_figures_stay(events, frozen_march):
    before = _grid(events)
    assert before["counts"]["结案"] == 2 and before["counts"]["应结案"] == 3 and before["adjustments"] == []
    assert table(events, org_unit="dc-dm", period="2026-03", level="grid")["frozen"] is True

    made = events.post("/indicators/adjustments", "supervisor", json=CORRECTION)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["author"] == "supervisor" and made.get_json()["reason"] == CORRECTION["reason"]

    after = _grid(events)
    assert after["counts"]["结案"] == 3 and after["counts"]["应结案"] == 4  # the derived count follows
    assert after["rates"]["结案率"] == pytest.approx(3 / 4)
    assert [(a["indicator"], a["delta"], a["reason"], a["author"]) for a in after["adjustments"]] == [
        ("结案", 1.0, CORRECTION["reason"], "supervisor")]
    assert row(table(events, org_unit="dc", period="2026-03", level="community"), "dc-dm")["counts"]["结案"] == 3

    frozen = _grid(events, adjusted="false")
    assert {k: frozen[k] for k in ("counts", "rates", "composite", "grade")} == \
           {k: before[k] for k in ("counts", "rates", "composite", "grade")}
    listed = events.get("/indicators/adjustments", "evaluator", query_string={"period": "2026-03"}).get_json()
    assert [a["reason"] for a in listed] == [CORRECTION["reason"]]
    bulletin = events.get("/bulletins/qingxi/2026-03", "supervisor").get_json()
    assert [a["reason"] for a in bulletin["adjustments"]] == [CORRECTION["reason"]]


def test_only_supervisors_and_evaluators_adjust_and_bad_input_is_refused(events, frozen_march):
    for user in ("worker-dc-dm-01", "dispatcher-dc", "head-dc-dm", "designer"):
        assert events.post("/indicators/adjustments", user, json=CORRECTION).status_code == 403, user
    assert events.post("/indicators/adjustments", "evaluator", json=CORRECTION).status_code == 201
    refused = {
        "indicator": {**CORRECTION, "indicator": "结案率"},  # a rate follows from its counts
        "reason": {**CORRECTION, "reason": "   "},
        "delta": {**CORRECTION, "delta": 0},
        "subject": {**CORRECTION, "subject": "no-such-unit"},
    }
    for field, body in refused.items():
        answer = events.post("/indicators/adjustments", "supervisor", json=body)
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (field, answer.get_json())
    future = events.post("/indicators/adjustments", "supervisor", json={**CORRECTION, "period": "2026-09"})
    assert future.status_code == 422 and "period" in future.get_json()["errors"]
    assert events.post("/indicators/adjustments", "supervisor", json={**CORRECTION, "period": "2026-13"}).status_code \
        == 422


def test_a_frozen_months_open_case_closed_later_counts_when_it_closes(events, frozen_march, clock):
    march = _grid(events)
    assert march["counts"]["超期未结"] == 1
    clock.move_to(at(2, 10, month=4))
    case = frozen_march["open"]  # the scheduler escalated it to the town when its community limit ran out
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "self", "dispatch_note": "镇街办理"})
    do(events, "dispatcher-dc", case, "镇街处置", {"handling_note": "已修复"})
    verify(events, case, "dc-dm-01")
    assert _grid(events) == march  # frozen: the late closure does not change March
    april = row(table(events, org_unit="dc-dm", period="2026-04", level="grid"), "dc-dm-01")
    assert (april["counts"]["应结案"], april["counts"]["超期结案"], april["counts"]["超期未结"]) == (1, 1, 0)
    assert april["rates"]["按期结案率"] == 0.0
