"""The whistle loop (吹哨报到) as the trial found it: the whistle record round by round, the lead
department among those summoned, the departments' reports on the case and at verification, who
is told (summoned departments, the reporting grid worker at the close), supervision that urges
instead of closing, and an engine failure told in words people read."""

import pytest
import time_machine

from tests.support import ok, with_event_handling
from tests.test_event_handling import BIN_FULL, MONDAY_9, POTHOLE, do, kinds, report, task
from tests.test_web_case_pages import visible
from tests.test_web_pages import csrf, login


@pytest.fixture
def events(api):
    with time_machine.travel(MONDAY_9, tick=False):
        with_event_handling(api)
        yield api


SUMMONS = {"decision": "whistle", "departments": ["dept-zj", "dept-cg", "dept-jt"], "lead_department": "dept-zj",
           "dispatch_note": "三部门联合处置"}


def _whistle_and_return(api) -> int:
    case = report(api, "dc-dm-01", POTHOLE)
    do(api, "dispatcher-dc", case, "镇街研判", SUMMONS)
    do(api, "dept-zj-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
    do(api, "dept-cg-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
    do(api, "dept-jt-staff", case, "部门报到", {"check_in_note": "已到现场", "action": "return",
                                              "return_reason": "非交通设施，属住建职责"})
    do(api, "dept-zj-staff", case, "部门处置", {"handling_note": "已修补坑槽，联系人13912345678",
                                              "after_photos": ["uploads/zj-after.jpg"]})
    do(api, "dept-cg-staff", case, "部门处置", {"handling_note": "已设置警示围挡"})
    return case


def _record(page: str) -> str:
    return visible(page).split("吹哨记录", 1)[1].split("待办环节", 1)[0]


def test_the_whistle_record_after_a_return_and_the_town_handling_it_itself(events):
    case = _whistle_and_return(events)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "self", "dispatch_note": "镇街收尾"})
    [round_] = events.instance(case)["data"]["whistle_rounds"]
    assert round_["departments"] == ["dept-zj", "dept-cg", "dept-jt"] and round_["lead"] == "dept-zj"
    assert [r["department"] for r in round_["returned"]] == ["dept-jt"]
    assert round_["handled"] == ["dept-zj", "dept-cg"] and round_["then"] == "town"
    record = _record(ok(login(events.app, "dispatcher-dc").get(f"/cases/{case}"), 200).data.decode())
    assert "第 1 轮吹哨" in record and "住房和城乡建设局、城市管理局、交通运输局" in record
    assert "交通运输局：非交通设施，属住建职责" in record
    assert "已处置 住房和城乡建设局、城市管理局" in " ".join(record.split())
    assert "镇街自办" in record
    summary = visible(ok(login(events.app, "dispatcher-dc").get(f"/cases/{case}"), 200).data.decode())
    summary = summary.split("案件概要", 1)[1].split("吹哨记录", 1)[0]
    assert "交通运输局" not in summary  # the last form's department list is not the record


def test_a_second_round_names_only_those_it_summoned(events):
    case = _whistle_and_return(events)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-sj"],
                                                "dispatch_note": "改派水利"})
    rounds = events.instance(case)["data"]["whistle_rounds"]
    assert [r["departments"] for r in rounds] == [["dept-zj", "dept-cg", "dept-jt"], ["dept-sj"]]
    assert rounds[1]["lead"] == ""  # the first round's lead is not carried into a round without it
    do(events, "dept-sj-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
    do(events, "dept-sj-staff", case, "部门处置", {"handling_note": "已疏通排水"})
    data = events.instance(case)["data"]
    assert data["whistle_rounds"][1]["handled"] == ["dept-sj"]
    assert sorted(data["departments_done"]) == ["dept-cg", "dept-sj", "dept-zj"]  # a rework goes to all of them


def test_the_lead_department_must_be_one_of_those_summoned(events):
    case = report(events, "dc-dm-01", POTHOLE)
    decision = task(events, "dispatcher-dc", case, "镇街研判")
    refused = events.complete(decision["id"], "dispatcher-dc", {"decision": "whistle", "departments": ["dept-zj"],
                                                               "lead_department": "dept-cg"})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["lead_department"]
    dispatcher = login(events.app, "dispatcher-dc")
    token = csrf(dispatcher.get(f"/tasks/{decision['id']}").data)
    page = dispatcher.post(f"/tasks/{decision['id']}/complete", data={
        "csrf_token": token, "decision": "whistle", "departments": ["dept-zj"], "lead_department": "dept-cg"})
    assert page.status_code == 422
    field = page.data.decode().split('data-field="lead_department"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "须是上面已选的项之一" in field
    do(events, "dispatcher-dc", case, "镇街研判", {**SUMMONS, "departments": ["dept-zj", "dept-cg"]})


def test_the_emergency_dispatch_refuses_a_lead_outside_too(events):
    case = report(events, "dc-dm-01", "E0401-01")
    dispatch = task(events, "dispatcher-dc", case, "应急调度")
    refused = events.complete(dispatch["id"], "dispatcher-dc",
                              {"departments": ["dept-zj"], "lead_department": "dept-yj"})
    assert refused.status_code == 422 and "lead_department" in refused.get_json()["errors"]


def test_department_reports_show_on_the_case_page_and_at_verification(events):
    case = _whistle_and_return(events)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "self"})
    do(events, "dispatcher-dc", case, "镇街处置", {"handling_note": "已完成收尾"})
    verify = task(events, "worker-dc-dm-01", case, "核查")
    values = events.get(f"/tasks/{verify['id']}", "worker-dc-dm-01").get_json()["form"]["values"]
    assert "住房和城乡建设局（住房和城乡建设局处置人员）：已修补坑槽" in values["department_handling"]
    assert "城市管理局（城市管理局处置人员）：已设置警示围挡" in values["department_handling"]
    assert values["department_photos"] == ["uploads/zj-after.jpg"]
    form = visible(ok(login(events.app, "worker-dc-dm-01").get(f"/tasks/{verify['id']}"), 200).data.decode())
    assert "部门处置情况" in form and "已修补坑槽" in form
    page = ok(login(events.app, "worker-dc-dm-01").get(f"/cases/{case}"), 200).data.decode()
    reports = visible(page).split("部门处置情况", 1)[1].split("待办环节", 1)[0]
    assert "住房和城乡建设局" in reports and "住房和城乡建设局处置人员" in reports and "已修补坑槽" in reports
    assert "13912345678" in reports  # the grid worker sees the case's contact details
    assert "/files/uploads/zj-after.jpg" in page or "uploads/zj-after.jpg" in page
    outsider = visible(ok(login(events.app, "evaluator").get(f"/cases/{case}"), 200).data.decode())
    assert "已修补坑槽" in outsider and "13912345678" not in outsider  # content yes, phone numbers no


def test_a_whistle_tells_the_summoned_departments_and_the_close_tells_the_reporter(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {**SUMMONS, "departments": ["dept-zj", "dept-cg"]})
    for dept in ("dept-zj", "dept-cg"):
        [note] = [n for n in events.get("/notifications", f"{dept}-staff").get_json() if n["kind"] == "case_whistled"]
        assert note["instance_id"] == case and note["task_id"] and "三部门联合处置" in (note["body"] or "")
        assert "部门报到时限" in note["body"]
    assert not [n for n in events.get("/notifications", "dept-jt-staff").get_json() if n["kind"] == "case_whistled"]
    page = visible(ok(login(events.app, "dept-zj-staff").get("/notifications"), 200).data.decode())
    assert "镇街吹哨" in page
    for dept in ("dept-zj", "dept-cg"):
        do(events, f"{dept}-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
        do(events, f"{dept}-staff", case, "部门处置", {"handling_note": "已处置"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    closed = [n for n in events.get("/notifications", "worker-dc-dm-01").get_json() if n["kind"] == "case_closed"]
    assert [n["instance_id"] for n in closed] == [case]
    accepted = [n for n in events.get("/notifications", "worker-dc-dm-01").get_json() if n["kind"] == "case_accepted"]
    assert accepted == []  # what they did themselves at the start is still not told back


def test_supervision_urges_the_handlers_and_the_case_goes_on(events):
    case = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm", contact_phone="13800000000")
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    for round_ in (1, 2):
        do(events, "staff-dc-dm", case, "社区处置",
           {"community_result": "resolved", "handling_note": f"第{round_}次处置"})
        do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
        do(events, "staff-dc-dm", case, "回访", {"satisfaction": "不满意", "callback_note": "仍有异味"})
    do(events, "supervisor", case, "督办", {"supervision_opinion": "责成社区每日巡查", "measures": "周报"})
    detail = events.instance(case)
    assert detail["status"] == "running" and "supervised" not in kinds(events, case)
    again = task(events, "staff-dc-dm", case, "社区处置")
    values = events.get(f"/tasks/{again['id']}", "staff-dc-dm").get_json()["form"]["values"]
    assert values["reopen_reason"] == {"supervision_opinion": "责成社区每日巡查", "measures": "周报"}
    [note] = [n for n in events.get("/notifications", "staff-dc-dm").get_json() if n["kind"] == "case_supervised"]
    assert note["task_id"] == again["id"] and "责成社区每日巡查" in note["body"] and "时限" in note["body"]
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "每日巡查，已整改"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    do(events, "staff-dc-dm", case, "回访", {"satisfaction": "满意"})
    assert events.instance(case)["status"] == "completed" and "supervised" not in kinds(events, case)


def test_still_unsatisfied_after_supervision_closes_as_supervised(events):
    case = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm")
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    for _ in range(3):
        do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已处置"})
        do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
        do(events, "staff-dc-dm", case, "回访", {"satisfaction": "不满意"})
        if not [t for t in events.tasks("supervisor", instance_id=case) if t["name"] == "督办"]:
            continue
        do(events, "supervisor", case, "督办", {"supervision_opinion": "限期整改"})
    assert events.instance(case)["status"] == "completed"
    assert kinds(events, case).count("reopened") >= 1 and "supervised" in kinds(events, case)


def test_an_engine_failure_is_told_in_plain_words_except_to_administrators(events, monkeypatch):
    from workflow_app.org import functions

    def broken(code):
        raise ValueError("KeyError: 'name' in unit lookup (engine detail)")

    monkeypatch.setattr(functions, "_unit_name", broken)
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {**SUMMONS, "departments": ["dept-zj"]})
    do(events, "dept-zj-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
    do(events, "dept-zj-staff", case, "部门处置", {"handling_note": "已处置"})  # the review script fails
    mine = events.instance(case, "worker-dc-dm-01")
    assert mine["status"] == "error" and mine["error"]["message"] == "此事件处理遇到故障，已通知管理员处理"
    assert "engine detail" not in str(mine)
    worker = login(events.app, "worker-dc-dm-01")
    page = visible(ok(worker.get(f"/cases/{case}"), 200).data.decode())
    assert "此事件处理遇到故障，已通知管理员处理" in page and "engine detail" not in page and "KeyError" not in page
    english = visible(ok(worker.get(f"/cases/{case}?lang=en"), 200).data.decode())
    assert "Something went wrong handling this case" in english and "engine detail" not in english
    assert "engine detail" in events.instance(case, "admin")["error"]["message"]
    assert "engine detail" in visible(ok(login(events.app, "admin").get("/operations/incidents"), 200).data.decode())


def test_a_department_report_carries_only_what_the_department_gave(events):
    """The community's note and photos, from before the case went up, are not put on a department's
    form nor credited to its report."""
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve", "handling_note": "需协调",
                                              "after_photos": ["uploads/community.jpg"]})
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-cg"]})
    do(events, "dept-cg-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
    handle = task(events, "dept-cg-staff", case, "部门处置")
    values = events.get(f"/tasks/{handle['id']}", "dept-cg-staff").get_json()["form"]["values"]
    assert not values.get("after_photos") and not values.get("handling_note")
    do(events, "dept-cg-staff", case, "部门处置", {"handling_note": "已清运"})
    [entry] = events.instance(case)["data"]["department_reports"]
    assert entry["photos"] == [] and entry["note"] == "已清运" and entry["by"] == "城市管理局处置人员"
