"""Points (积分) over the API as the real roles: earned by the rules in the locality's data, each
person's own balance and history, redemptions that never overdraw (422), also when two race."""

import threading

from tests.conftest import ON_POSTGRES
from tests.support import ok
from tests.support_indicators import GARBAGE, PHOTOS, clock_fixture, events_fixture  # noqa: F401 - fixtures
from tests.test_event_handling import do, report
from workflow_app.evaluation import points

WORKER = "worker-dc-dm-01"


def self_handled(api, grid: str = "dc-dm-01") -> int:
    case = report(api, grid, GARBAGE)
    do(api, f"worker-{grid}", case, "网格自行处置", {"handling_note": "已清扫", **PHOTOS})
    return case


def balance(api, user: str = WORKER) -> int:
    return ok(api.get("/points", user)).get_json()["balance"]


def test_points_follow_the_rules_in_the_locality_data_and_each_person_sees_their_own(events):
    self_handled(events)
    mine = ok(events.get("/points", WORKER)).get_json()
    assert mine["balance"] == 5 and mine["earned"] == 5  # 2 for the report filed, 3 for closing on time
    assert sorted((e["rule"], e["delta"]) for e in mine["history"]) == [("closed_on_time", 3), ("report_filed", 2)]
    assert {r["rule"]: r["points"] for r in mine["rules"]}["report_filed"] == 2
    assert events.get("/points", "worker-dc-dm-02", query_string={"username": WORKER}).status_code == 403
    assert ok(events.get("/points", "supervisor", query_string={"username": WORKER})).get_json()["balance"] == 5

    refused = events.client.put("/api/v1/evaluation/settings", headers=events.headers(WORKER),
                                query_string={"locality": "dc"},
                                json={"document": {"points": {"rules": {"report_filed": {"points": 10}}}}})
    assert refused.status_code == 403
    changed = ok(events.client.put("/api/v1/evaluation/settings", headers=events.headers("supervisor"),
                                   query_string={"locality": "dc"},
                                   json={"document": {"points": {"rules": {"report_filed": {"points": 10}}}}}))
    assert changed.get_json()["document"]["points"]["rules"]["report_filed"]["points"] == 10
    self_handled(events)
    self_handled(events, "xs-sq-01")  # 西山镇 keeps the county's rules
    assert balance(events) == 5 + 10 + 3
    assert balance(events, "worker-xs-sq-01") == 5


def test_a_redemption_beyond_the_balance_is_refused_and_the_ledger_records_what_was_exchanged(events):
    self_handled(events)
    too_much = events.post("/points/redemptions", WORKER, json={"points": 6, "item": "洗衣液"})
    assert too_much.status_code == 422 and too_much.get_json()["reason"] == "insufficient_points"
    bad = events.post("/points/redemptions", WORKER, json={"points": 0, "item": "洗衣液"})
    assert bad.status_code == 422
    done = ok(events.post("/points/redemptions", "head-dc-dm", json={"username": WORKER, "points": 4,
                                                                     "item": "积分兑换日：洗衣液一瓶"}), 201).get_json()
    assert done["balance"] == 1
    history = ok(events.get("/points", WORKER)).get_json()
    assert history["balance"] == 1 and history["redeemed"] == 4
    assert history["history"][0]["kind"] == "redeemed" and history["history"][0]["item"] == "积分兑换日：洗衣液一瓶"
    assert events.post("/points/redemptions", "worker-dc-dm-02",
                       json={"username": WORKER, "points": 1, "item": "x"}).status_code == 403


def test_two_redemptions_at_once_cannot_overdraw_the_balance(events, monkeypatch):
    self_handled(events)  # 5 points
    assert balance(events) == 5
    if ON_POSTGRES:  # both transactions are open when they debit: the row lock decides
        barrier = threading.Barrier(2, timeout=10)
        monkeypatch.setattr(points, "_before_debit", barrier.wait)
    results = [None, None]

    def redeem(index: int) -> None:
        results[index] = events.post("/points/redemptions", WORKER, json={"points": 4, "item": f"兑换{index}"})

    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.status_code for r in results) == [201, 422]
    assert balance(events) == 1


def test_the_points_job_awards_each_fact_once(events):
    self_handled(events)
    with events.app.app_context():
        first, again = points.catch_up(), points.catch_up()
    assert (first, again) == (2, 0) and balance(events) == 5
