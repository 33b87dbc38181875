"""The sample process (lanes, gateway, DMN, timer boundary) deployed from files and run over HTTP."""

from tests.support import ApiClient, ok, only, sample_bundle

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路边垃圾堆放"}


def test_deploy_start_advance_and_survive_restart(api, make_app):
    deployed = api.deploy(sample_bundle())
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["version"] == 1

    started = api.start("minor_event", "dc-dm-01", REPORT, user="worker-dc-dm-01")
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["status"] == "running" and body["version"] == 1 and body["locality"] is None

    # The DMN graded it "general": the gateway sent it to the community lane, with a 4-hour timer.
    case = api.instance(body["id"])
    assert case["data"]["handling_level"] == "community"
    [timer] = case["timers"]
    assert timer["bpmn_id"] == "community_overdue" and timer["due_at"] and timer["interrupting"] is True
    assert timer["kind"] == "date"  # due_in(4, "work_hours") on the locality's calendar
    assert [t["name"] for t in case["tasks"]] == ["社区处置"]

    task = only(api.tasks("staff-dc-dm"), "社区处置")
    assert task["org_unit"] == "dc-dm" and task["lane"] == "社区工作者" and task["due_at"] == timer["due_at"]
    assert task["form"]["name"] == "minor_handle.json"
    assert task["form"]["values"]["description"] == "路边垃圾堆放"
    done = api.complete(task["id"], "staff-dc-dm", {"handling_note": "已清理"})
    assert done.status_code == 200, done.get_json()

    # Restart: a new app object, empty caches; everything comes from the database.
    restarted = ApiClient(make_app())
    verify = only(restarted.tasks("worker-dc-dm-01"), "核查结案")
    assert verify["form"]["values"]["handling_note"] == "已清理"
    assert restarted.complete(verify["id"], "worker-dc-dm-01", {"verified": True}).status_code == 200

    final = restarted.instance(body["id"])
    assert final["status"] == "completed" and final["tasks"] == [] and final["timers"] == []
    kinds = [e["kind"] for e in final["history"]]
    assert kinds[0] == "instance_started" and kinds[-1] == "instance_completed"
    assert kinds.count("task_completed") == 2
    completed = [e for e in final["history"] if e["kind"] == "task_completed"]
    assert completed[0]["actor"] == "staff-dc-dm" and completed[0]["changed_keys"] == ["handling_note"]


def test_minor_case_goes_to_grid_self_handling(api):
    ok(api.deploy(sample_bundle()), 201)
    started = ok(api.start("minor_event", "dc-dm-01", {**REPORT, "severity": "minor"}, user="worker-dc-dm-01"), 201)
    case = api.instance(started.get_json()["id"])
    assert case["data"]["handling_level"] == "grid" and case["timers"] == []
    task = only(api.tasks("worker-dc-dm-01"), "网格自行处置")
    assert task["org_unit"] == "dc-dm-01"
    assert api.tasks("worker-dc-dm-02") == []  # another grid's worker sees nothing
