"""Claim, release, delegate, comment, attach; and the inbox's filters, order, pages and counts."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ApiClient, ok, only, sample_bundle

REPORT = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}


@pytest.fixture
def task(api):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    return only(api.tasks("staff-dc-dm"), "社区处置")


@pytest.fixture
def colleague(api):
    """A second community_staff member at 东门社区."""
    runner = api.app.test_cli_runner()
    result = runner.invoke(args=["create-user", "staff2-dc-dm", "--role", "community_staff@dc-dm",
                                 "--password", "demo123", "--name", "东门社区工作者二"])
    assert result.exit_code == 0, result.output
    return "staff2-dc-dm"


def test_claim_then_others_cannot_take_it(api, task, colleague):
    claimed = api.post(f"/tasks/{task['id']}/claim", "staff-dc-dm")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "staff-dc-dm"
    assert api.post(f"/tasks/{task['id']}/claim", "staff-dc-dm").status_code == 200  # idempotent
    assert api.post(f"/tasks/{task['id']}/claim", colleague).status_code == 409
    assert api.complete(task["id"], colleague, {"handling_note": "抢先"}).status_code == 403
    assert [t["id"] for t in api.tasks(colleague)] == []
    mine = api.get("/inbox?state=mine", "staff-dc-dm").get_json()
    assert [t["id"] for t in mine["items"]] == [task["id"]]


def test_release_by_assignee_or_leader(api, task, colleague):
    assert ok(api.post(f"/tasks/{task['id']}/claim", "staff-dc-dm"), 200).get_json()["assignee"] == "staff-dc-dm"
    assert api.post(f"/tasks/{task['id']}/release", colleague).status_code == 403
    assert api.post(f"/tasks/{task['id']}/release", "head-dc-dm").status_code == 200  # the community head leads
    assert api.get(f"/tasks/{task['id']}", colleague).get_json()["assignee"] is None
    assert api.post(f"/tasks/{task['id']}/claim", colleague).status_code == 200


def test_delegate_to_an_eligible_user_only(api, task, colleague):
    refused = api.post(f"/tasks/{task['id']}/delegate", "staff-dc-dm", json={"username": "staff-dc-bg"})
    assert refused.status_code == 422 and "username" in refused.get_json()["errors"]
    unknown = api.post(f"/tasks/{task['id']}/delegate", "staff-dc-dm", json={"username": "nobody"})
    assert unknown.status_code == 422
    assert api.get(f"/tasks/{task['id']}", "staff-dc-dm").get_json()["assignee"] is None  # nothing changed

    eligible = api.get(f"/tasks/{task['id']}/eligible-users", "staff-dc-dm").get_json()
    assert [u["username"] for u in eligible] == ["staff-dc-dm", colleague]
    done = api.post(f"/tasks/{task['id']}/delegate", "staff-dc-dm", json={"username": colleague, "note": "请跟进"})
    assert done.status_code == 200 and done.get_json()["assignee"] == colleague
    assert api.complete(task["id"], "staff-dc-dm", {"handling_note": "x"}).status_code == 403
    assert api.complete(task["id"], colleague, {"handling_note": "已修复路灯"}).status_code == 200
    history = api.instance(task["instance_id"])["history"]
    delegated = next(e for e in history if e["kind"] == "task_delegated")
    assert delegated["detail"] == {"from": None, "to": colleague, "note": "请跟进"}


def test_comments_and_attachments(api, task):
    posted = api.post(f"/tasks/{task['id']}/comments", "staff-dc-dm", json={"text": "已联系路灯所"})
    assert posted.status_code == 201
    assert api.post(f"/tasks/{task['id']}/comments", "staff-dc-dm", json={"text": " "}).status_code == 422
    assert api.post(f"/tasks/{task['id']}/comments", "dispatcher-dc", json={"text": "镇街关注"}).status_code == 201
    texts = [c["text"] for c in api.get(f"/tasks/{task['id']}/comments", "head-dc-dm").get_json()]
    assert texts == ["已联系路灯所", "镇街关注"]

    attached = api.post(f"/tasks/{task['id']}/attachments", "staff-dc-dm",
                        json={"name": "现场.jpg", "reference": "cases/1/photo-1.jpg", "content_type": "image/jpeg"})
    assert attached.status_code == 201 and attached.get_json()["uploaded_by"] == "staff-dc-dm"
    for bad in ({"name": "../x.jpg", "reference": "a/b.jpg"}, {"name": "x.jpg", "reference": "../../etc/passwd"},
                {"name": "x.jpg", "reference": "/etc/passwd"}, {"name": "x.jpg", "reference": "file:///etc/passwd"}):
        assert api.post(f"/tasks/{task['id']}/attachments", "staff-dc-dm", json=bad).status_code == 422, bad
    assert api.post(f"/tasks/{task['id']}/attachments", "worker-dc-dm-02",
                    json={"name": "x.jpg", "reference": "a/x.jpg"}).status_code == 403
    assert len(api.get(f"/tasks/{task['id']}/attachments", "staff-dc-dm").get_json()) == 1
    kinds = [e["kind"] for e in api.instance(task["instance_id"])["history"]]
    assert kinds.count("task_commented") == 2 and "task_attachment_added" in kinds


def test_completing_an_unclaimed_task_claims_it(api, task):
    ok(api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处理"}), 200)
    done = api.get("/inbox?state=done", "staff-dc-dm").get_json()
    assert [(t["id"], t["assignee"], t["state"]) for t in done["items"]] == [(task["id"], "staff-dc-dm", "completed")]


def test_concurrent_claims_have_one_winner(api, task, colleague):
    other = ApiClient(api.app)
    other._tokens = dict(api._tokens)
    api.token(colleague)
    other._tokens = dict(api._tokens)
    barrier = threading.Barrier(2)
    results = {}

    def claim(client, user):
        barrier.wait()
        results[user] = client.post(f"/tasks/{task['id']}/claim", user).status_code

    threads = [threading.Thread(target=claim, args=(api, "staff-dc-dm")),
               threading.Thread(target=claim, args=(other, colleague))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(results.values()) == [200, 409]


def test_filters_order_pages_and_counts(api):
    ok(api.deploy(sample_bundle()), 201)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday, 09:00 in Beijing
    with time_machine.travel(start, tick=False) as traveller:
        for index, (grid, severity) in enumerate([("dc-dm-01", "general"), ("dc-dm-02", "serious"),
                                                  ("dc-dm-01", "general"), ("dc-dm-02", "general")]):
            data = {**REPORT, "severity": severity, "description": f"第{index + 1}件 路灯不亮"}
            assert api.start("minor_event", grid, data, f"worker-{grid}").status_code == 201
            traveller.shift(timedelta(minutes=10))
        page = api.get("/inbox", "staff-dc-dm").get_json()
        dues = [t["due_at"] for t in page["items"]]
        assert dues == sorted(dues) and page["total"] == 4
        assert page["items"][0]["title"].endswith("第2件 路灯不亮")  # serious: a 2-hour limit, due first
        assert page["counts"] == {"open": 4, "unclaimed": 4, "mine": 0, "overdue": 0, "processes": {"minor_event": 4}}

        first, second = (api.get(f"/inbox?per_page=3&page={n}", "staff-dc-dm").get_json() for n in (1, 2))
        assert [len(first["items"]), len(second["items"])] == [3, 1] and first["total"] == second["total"] == 4
        assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}

        assert api.get("/inbox?q=第3件", "staff-dc-dm").get_json()["total"] == 1
        assert api.get("/inbox?org_unit=dc-dm-02", "staff-dc-dm").get_json()["total"] == 0  # scoped at the community
        assert api.get("/inbox?org_unit=dc-dm", "staff-dc-dm").get_json()["total"] == 4
        assert api.get("/inbox?process_key=other", "staff-dc-dm").get_json()["total"] == 0

        ok(api.post(f"/tasks/{page['items'][3]['id']}/claim", "staff-dc-dm"), 200)
        traveller.shift(timedelta(hours=2))  # only the serious case's 2-hour limit has passed
        page = api.get("/inbox", "staff-dc-dm").get_json()
        assert page["counts"]["overdue"] == 1 and page["counts"]["mine"] == 1 and page["counts"]["unclaimed"] == 3
        overdue = api.get("/inbox?overdue=true", "staff-dc-dm").get_json()
        assert overdue["total"] == 1 and overdue["items"][0]["title"].endswith("第2件 路灯不亮")
        assert api.get("/inbox?overdue=false", "staff-dc-dm").get_json()["total"] == 3
        assert api.get("/inbox?state=unclaimed", "staff-dc-dm").get_json()["total"] == 3


def test_inbox_rejects_bad_arguments(api):
    assert api.get("/inbox?state=everything", "staff-dc-dm").status_code == 422
    assert api.get("/inbox?per_page=1000", "staff-dc-dm").status_code == 422
    assert api.get("/inbox?org_unit=nowhere", "staff-dc-dm").status_code == 422
