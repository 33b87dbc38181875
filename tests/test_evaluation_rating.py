"""Reverse evaluation (反向考核) over the API as the real roles: closing a whistled case gives the
grid worker one rating task covering every department that worked it (and the community one for
the departments), the scores reach ``/evaluation/departments`` through the indicator definitions,
and a rating not done in time counts as expired, never as a score."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support import ROOT, bundle, ok, only
from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    POTHOLE,
    clock_fixture,
    events_fixture,
    self_handled,
    tick,
)
from tests.test_event_handling import do, report
from workflow_app.extensions import db
from workflow_app.models import ProcessInstance

WORKER = "worker-dc-dm-01"


@pytest.fixture(name="rated")
def rated_fixture(events):
    ok(events.deploy(bundle(ROOT / "processes" / "case_rating")), 201)
    return events


def whistled_and_closed(api, clock) -> int:
    """A pothole the town whistles to 住建 and 城管; both handle it; the grid worker verifies it."""
    case = report(api, "dc-dm-01", POTHOLE)
    do(api, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"],
                                            "lead_department": "dept-zj", "dispatch_note": "两部门联合处置"})
    for dept in ("dept-zj", "dept-cg"):
        do(api, f"{dept}-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
        do(api, f"{dept}-staff", case, "部门处置", {"handling_note": "已处置"})
    do(api, WORKER, case, "核查", {"verified": True})
    assert api.instance(case)["status"] == "completed"
    return case


def rating_task(api, user: str) -> dict:
    return only(api.tasks(user, process_key="case_rating"))


def scores(api, user: str = "supervisor", period: str = "2026-03") -> dict:
    found = ok(api.get("/evaluation/departments", user, query_string={"period": period})).get_json()
    return {row["unit"]: row for row in found["departments"]}


def test_a_whistled_case_gives_one_rating_task_covering_both_departments_and_feeds_the_scores(rated, clock):
    whistled_and_closed(rated, clock)
    mine = rating_task(rated, WORKER)
    form = ok(rated.get(f"/tasks/{mine['id']}", WORKER)).get_json()["form"]["values"]
    assert sorted(s["code"] for s in form["subjects"]) == ["dept-cg", "dept-zj"]
    assert {s["handler"] for s in form["subjects"]} == {"dept-cg-staff", "dept-zj-staff"}
    assert mine["due_at"] is not None
    assert "Rate the units that handled it: " in mine["title_en"]  # the model's English title, beside its Chinese
    community = rating_task(rated, "staff-dc-dm")  # departments handled it: the community rates them too
    assert rated.tasks("worker-dc-dm-02", process_key="case_rating") == []

    half = rated.complete(mine["id"], WORKER, {"ratings": [{"subject": "dept-zj", "accept": 5, "communicate": 4,
                                                            "handle": 5}]})
    assert half.status_code == 422 and "ratings" in half.get_json()["errors"]  # every department is rated
    wrong = rated.complete(mine["id"], WORKER, {"ratings": [{"subject": "dept-zj", "accept": 6, "communicate": 4,
                                                             "handle": 5}]})
    assert wrong.status_code == 422
    ok(rated.complete(mine["id"], WORKER, {"ratings": [
        {"subject": "dept-zj", "accept": 5, "communicate": 4, "handle": 5, "comment": "响应快"},
        {"subject": "dept-cg", "accept": 3, "communicate": 2, "handle": 4}]}))
    ok(rated.complete(community["id"], "staff-dc-dm", {"department_ratings": [
        {"subject": "dept-zj", "accept": 5, "communicate": 5, "handle": 5},
        {"subject": "dept-cg", "accept": 3, "communicate": 3, "handle": 3}]}))

    found = scores(rated)
    zj, cg = found["dept-zj"], found["dept-cg"]
    assert zj["ratings"] == 2 and zj["accept"] == 5 and zj["communicate"] == 4.5 and zj["handle"] == 5
    assert cg["ratings"] == 2 and cg["accept"] == 3 and cg["communicate"] == 2.5 and cg["handle"] == 3.5
    assert zj["average"] == pytest.approx(29 / 6) and zj["expired"] == 0 and zj["expired_share"] == 0
    assert [h["username"] for h in zj["handlers"]] == ["dept-zj-staff"] and zj["handlers"][0]["ratings"] == 2
    assert found["dept-sj"]["ratings"] == 0 and found["dept-sj"]["average"] is None
    assert list(found)[:2] == ["dept-zj", "dept-cg"]  # best average first
    denied = rated.get("/evaluation/departments", WORKER, query_string={"org_unit": "qingxi"})
    assert denied.status_code == 403


def test_an_expired_rating_counts_as_expired_not_as_a_score(rated, clock):
    whistled_and_closed(rated, clock)
    community = rating_task(rated, "staff-dc-dm")
    ok(rated.complete(community["id"], "staff-dc-dm", {"department_ratings": [
        {"subject": "dept-zj", "accept": 4, "communicate": 4, "handle": 4},
        {"subject": "dept-cg", "accept": 4, "communicate": 4, "handle": 4}]}))
    clock.shift(timedelta(days=4))  # past 2 working days
    tick(rated)
    assert rated.tasks(WORKER, process_key="case_rating") == []
    found = scores(rated)
    for dept in ("dept-zj", "dept-cg"):
        assert found[dept]["ratings"] == 1 and found[dept]["accept"] == 4  # only the community's score
        assert found[dept]["expired"] == 1 and found[dept]["expired_share"] == 0.5


def test_a_self_handled_case_has_nobody_to_rate(rated, clock):
    case = self_handled(rated, "dc-dm-01")
    assert rated.tasks(WORKER, process_key="case_rating") == []
    with rated.app.app_context():
        rating = db.session.execute(select(ProcessInstance).where(ProcessInstance.process_key == "case_rating")) \
            .scalar_one()
        assert rating.status == "completed" and rating.data["event_case"] == case and rating.data["subjects"] == []
        db.session.remove()
