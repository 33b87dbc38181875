"""Acceptance: a month of known cases, created over HTTP as the real roles with time travel, gives
every default count and rate as computed by hand, per community, grid, department and person."""

from datetime import timedelta

import pytest

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    BIN_FULL,
    LAMP,
    POTHOLE,
    at,
    callback,
    clock_fixture,
    community,
    do,
    events_fixture,
    report,
    row,
    self_handled,
    table,
    task,
    tick,
    verify,
)


def _march(api, clock) -> dict:
    """Eight cases in 东门社区 in March 2026; returns their ids by letter."""
    cases = {}
    clock.move_to(at(2, 9))
    cases["A"] = self_handled(api, "dc-dm-01")  # self-handled, closed on time
    cases["C"] = report(api, "dc-dm-01", BIN_FULL)  # reworked once, then closed on time
    community(api, cases["C"], "dc-dm")
    verify(api, cases["C"], "dc-dm-01", ok=False)
    community(api, cases["C"], "dc-dm", "第二次处理")
    verify(api, cases["C"], "dc-dm-01")

    clock.move_to(at(3, 9))
    cases["B"] = report(api, "dc-dm-02", BIN_FULL)  # handled a day late (no tick: no escalation)
    clock.move_to(at(4, 9))
    community(api, cases["B"], "dc-dm")
    verify(api, cases["B"], "dc-dm-02")

    clock.move_to(at(5, 9))
    cases["E"] = report(api, "dc-dm-01", BIN_FULL, user="resident-dc-dm", contact_phone="13800000001")
    cases["F"] = report(api, "dc-dm-02", BIN_FULL, user="resident-dc-dm", contact_phone="13800000002")
    clock.move_to(at(5, 9, 20))
    for case, grid in ((cases["E"], "dc-dm-01"), (cases["F"], "dc-dm-02")):
        do(api, "staff-dc-dm", case, "社区受理", {"accepted": True})
        community(api, case, "dc-dm")
        verify(api, case, grid)
    callback(api, cases["E"], "dc-dm", "满意")
    callback(api, cases["F"], "dc-dm", "不满意")  # reopened once
    community(api, cases["F"], "dc-dm", "重办")
    verify(api, cases["F"], "dc-dm-02")
    callback(api, cases["F"], "dc-dm", "基本满意")

    clock.move_to(at(10, 9))
    cases["G"] = _whistled(api, clock)

    clock.move_to(at(20, 9))
    cases["D"] = report(api, "dc-dm-01", LAMP)  # paused a while, then left open past its due time
    handling = task(api, "staff-dc-dm", cases["D"], "社区处置")
    clock.move_to(at(20, 10))
    assert api.post(f"/tasks/{handling['id']}/pause", "head-dc-dm", json={"reason": "等待配件"}).status_code == 200
    clock.move_to(at(20, 11))
    assert api.post(f"/tasks/{handling['id']}/resume", "head-dc-dm").status_code == 200
    cases["H"] = report(api, "dc-dm-02", LAMP)  # extended, then closed on time
    asked = api.post(f"/tasks/{task(api, 'staff-dc-dm', cases['H'], '社区处置')['id']}/extension", "staff-dc-dm",
                     json={"amount": 1, "unit": "work_days", "reason": "需协调物业"})
    assert asked.status_code == 201, asked.get_json()
    approval = asked.get_json()["approval_instance_id"]
    do(api, "head-dc-dm", approval, "延期审批", {"approved": True, "approval_note": "同意"})
    clock.move_to(at(23, 10))
    community(api, cases["H"], "dc-dm")
    verify(api, cases["H"], "dc-dm-02")
    return cases


def _whistled(api, clock) -> int:
    """A pothole: the town summons three departments; 交通 returns it, 城管 reports in late."""
    case = report(api, "dc-dm-02", POTHOLE)
    do(api, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-jt", "dept-cg"],
                                            "lead_department": "dept-zj", "dispatch_note": "联合处置"})
    clock.shift(timedelta(minutes=10))
    do(api, "dept-zj-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
    do(api, "dept-jt-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "return",
                                            "return_reason": "非交通设施"})
    clock.shift(timedelta(minutes=30))
    tick(api)  # 城管's 30 minutes are up: late
    do(api, "dept-cg-staff", case, "部门报到", {"check_in_note": "迟到", "action": "handle"})
    do(api, "dept-zj-staff", case, "部门处置", {"handling_note": "已修补"})
    do(api, "dept-cg-staff", case, "部门处置", {"handling_note": "已设置警示"})
    do(api, "dispatcher-dc", case, "镇街研判", {"decision": "self", "dispatch_note": "镇街收尾"})
    do(api, "dispatcher-dc", case, "镇街处置", {"handling_note": "已收尾"})
    verify(api, case, "dc-dm-02")
    return case


@pytest.fixture
def march(events, clock):
    cases = _march(events, clock)
    clock.move_to(at(2, 10, month=4))  # the month is over: D is still open, and overdue
    return cases


COMMUNITY = {
    "立案": 8, "结案": 7, "按期结案": 6, "超期结案": 1, "超期未结": 1, "应结案": 8, "返工": 1, "延期": 1, "挂账": 1,
    "回退": 0, "自行处置": 1, "迟到报到": 0, "重办": 1, "评价数": 3, "满意": 1, "基本满意": 1, "不满意": 1,
    "按时受理": 2, "应受理": 2, "督办结案": 0, "已解决": 7,
}
COMMUNITY_RATES = {"结案率": 7 / 8, "按期结案率": 6 / 8, "返工率": 1 / 8, "延期率": 1 / 8, "满意率": 2 / 3,
                   "响应率": 1.0, "解决率": 7 / 8}


def test_every_default_count_and_rate_of_a_known_month(march, events):
    town = table(events, org_unit="dc", period="2026-03", level="community")
    dm = row(town, "dc-dm")
    assert {k: dm["counts"][k] for k in COMMUNITY} == COMMUNITY
    assert {k: dm["rates"][k] for k in COMMUNITY_RATES} == pytest.approx(COMMUNITY_RATES)
    assert town["closed"] is True and town["period"] == "2026-03" and town["definitions_version"] == 1
    quiet = row(town, "dc-bg")
    assert quiet["counts"]["应结案"] == 0 and quiet["rates"]["按期结案率"] is None and quiet["composite"] is None


def test_the_open_overdue_case_lowers_the_on_time_rate_and_shows_in_the_explanation(march, events):
    grid = row(table(events, org_unit="dc-dm", period="2026-03", level="grid"), "dc-dm-01")
    # A, C and E closed on time; D open past its due time at the month's end.
    assert (grid["counts"]["应结案"], grid["counts"]["按期结案"], grid["counts"]["超期未结"]) == (4, 3, 1)
    assert grid["rates"]["按期结案率"] == pytest.approx(0.75) and grid["counts"]["返工"] == 1
    explained = events.get("/indicators/explain", "supervisor", query_string={
        "org_unit": "dc-dm-01", "period": "2026-03", "indicator": "超期未结"}).get_json()
    assert explained["value"] == 1 and [c["case_id"] for c in explained["cases"]] == [march["D"]]
    rate = events.get("/indicators/explain", "supervisor", query_string={
        "org_unit": "dc-dm-01", "period": "2026-03", "indicator": "按期结案率"}).get_json()
    assert rate["value"] == pytest.approx(0.75) and rate["formula"] == "按期结案率 = 按期结案 ÷ 应结案"
    parts = {p["indicator"]: p for p in rate["parts"]}
    assert sorted(c["case_id"] for c in parts["按期结案"]["cases"]) == sorted([march["A"], march["C"], march["E"]])
    due = {p["indicator"]: p for p in parts["应结案"]["parts"]}
    assert due["超期未结"]["cases"][0]["case_id"] == march["D"] and due["结案"]["total"] == 3


def test_department_facts_count_on_the_department_rows(march, events):
    county = table(events, org_unit="qingxi", period="2026-03", level="department")
    assert row(county, "dept-jt")["counts"]["回退"] == 1 and row(county, "dept-jt")["counts"]["迟到报到"] == 0
    assert row(county, "dept-cg")["counts"]["迟到报到"] == 1 and row(county, "dept-cg")["counts"]["回退"] == 0
    zj = row(county, "dept-zj")
    assert zj["counts"]["按时报到"] == 1 and zj["counts"]["应报到"] == 1 and zj["rates"]["按时处置率"] == 1.0
    assert row(county, "dept-cg")["rates"]["按时报到率"] == 0.0
    assert zj["composite"] == pytest.approx(100.0) and zj["grade"] == "A" and zj["rank"] == 1
    town = row(table(events, org_unit="qingxi", period="2026-03", level="town"), "dc")
    assert town["counts"]["回退"] == 0 and town["counts"]["应结案"] == 8  # departments are not in the town


def test_a_grid_worker_sees_their_own_scorecard_and_how_it_was_computed(march, events):
    me = events.get("/indicators/me", "worker-dc-dm-01", query_string={"period": "2026-03"}).get_json()
    assert me["subject"] == "worker-dc-dm-01" and me["composite_indicator"] == "网格员综合得分"
    # reported A, C and D: two closed on time, D open and overdue; verified C twice and E once, on time
    assert (me["counts"]["立案"], me["counts"]["应结案"], me["counts"]["按期结案"]) == (3, 3, 2)
    assert me["counts"]["核查办结"] == 3 and me["rates"]["按时核查率"] == 1.0 and me["counts"]["自行处置"] == 1
    expected = 40 * 0.2 + 100 * 0.3 + 100 / 3 * 0.2 + 200 / 3 * 0.3
    assert me["composite"] == pytest.approx(expected, abs=0.01) and me["grade"] == "C"
    terms = {t["indicator"]: t for t in me["explanation"]["terms"]}
    assert terms["按时核查率"]["weight"] == 30 and terms["上报数分值"]["value"] == 40
    others = events.get("/indicators", "worker-dc-dm-01", query_string={"org_unit": "dc-dm", "level": "person",
                                                                       "period": "2026-03"}).get_json()
    assert [r["subject"] for r in others["rows"]] == ["worker-dc-dm-01"]  # only their own row
    assert events.get("/indicators", "worker-dc-dm-01", query_string={"org_unit": "dc-dm"}).status_code == 403


def test_rankings_with_change_from_the_previous_period(march, events, clock):
    clock.move_to(at(5, 9, month=4))
    self_handled(events, "dc-bg-01")  # April: 北关 closes one on time, 东门 none
    clock.move_to(at(2, 10, month=5))
    april = table(events, org_unit="dc", period="2026-04", level="community")
    assert row(april, "dc-bg")["rank"] == 1 and row(april, "dc-bg")["previous"]["rank"] is None
    dm = row(april, "dc-dm")  # only D, still overdue: 0 % on time
    assert dm["counts"]["应结案"] == 1 and dm["counts"]["超期未结"] == 1 and dm["rank"] == 2
    assert dm["previous"]["rank"] == 1 and dm["change"]["rank"] == -1 and dm["change"]["composite"] < 0
