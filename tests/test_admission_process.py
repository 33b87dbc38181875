"""The admission process over the API as the real roles: the DMN screening against the negative list
and the lead time (data, with a locality variant), the town's review, the joint meeting's decision
on the working-day calendar, the list of admitted items it changes, and withdrawal."""

from datetime import datetime

import pytest

from tests.support import ok, only
from tests.test_admission_helpers import (  # noqa: F401 - the *_fixture names are fixtures
    BEIJING,
    MEETING,
    adm_fixture,
    admit,
    application,
    apply,
    clock_fixture,
    facts,
)
from workflow_app.timers import scheduler

LEADERS = ("leader-dc", "leader-xs", "leader-nh")


def _people_tasks(api, case: int) -> list[dict]:
    return api.instance(case)["tasks"]


def _in_any_inbox(api, case: int) -> bool:
    users = (*LEADERS, MEETING, "dept-cg-staff", "staff-dc-dm", "admin")
    return any(t["instance_id"] == case for user in users for t in api.tasks(user))


@pytest.mark.parametrize("changes, rule", [
    ({"name": "招商引资任务分解", "description": "请各社区完成年度招商引资线索任务"}, "investment_quota"),
    ({"description": "社区按户完成税收协税护税任务"}, "tax_quota"),
    ({"name": "城乡居民保险推销指标", "description": "各社区完成商业保险推销任务"}, "insurance_quota"),
    ({"description": "社区作为行政执法主体对违规摆摊行为进行罚款"}, "law_enforcement"),
    ({"name": "签订安全生产责任状", "description": "与各社区签订责任状，实行一票否决"}, "pledge_veto"),
    ({"description": "社区每月填表报数，建立巡查台账"}, "forms_ledgers"),
    ({"description": "组织居民下载安装政务APP并关注公众号"}, "app_burden"),
    ({"valid_from": "2026-03-23"}, "lead_time"),  # 15 working days ahead, not 30
    ({"valid_to": "2026-04-30"}, "period"),  # ends before it starts
])
def test_a_banned_application_is_screened_out_with_its_reason_and_reaches_no_person(adm, changes, rule):
    started = ok(apply(adm, application(**changes)), 201).get_json()
    detail = adm.instance(started["id"])
    assert detail["status"] == "completed"
    assert detail["data"]["screening"] == "refuse" and detail["data"]["screening_rule"] == rule
    assert detail["data"]["screening_reason"]
    assert _people_tasks(adm, started["id"]) == [] and not _in_any_inbox(adm, started["id"])
    kinds = [event["kind"] for event in detail["history"]]
    assert "task_created" not in kinds
    mine = adm.get("/admission/applications", "dept-cg-staff").get_json()
    assert [(a["status"], a["reason"]) for a in mine] == [("screened_out", detail["data"]["screening_reason"])]
    note = adm.get("/notifications", "dept-cg-staff").get_json()
    assert any("筛查未通过" in n["title"] for n in note)
    assert [unit for unit, _ in facts(adm.app, "admission_screened_out")] == ["dept-cg"]
    assert [unit for unit, _ in facts(adm.app, "admission_applied")] == ["dept-cg"]
    assert adm.get("/admission/items?status=all", "admin").get_json() == []


def test_the_lead_time_reason_says_how_early_the_application_was(adm):
    started = ok(apply(adm, application(valid_from="2026-03-23")), 201).get_json()
    reason = adm.instance(started["id"])["data"]["screening_reason"]
    assert "30个工作日" in reason and "14个工作日" in reason  # 0.875 of Monday and 14 whole working days


def test_a_valid_application_is_reviewed_by_the_town_and_approved_then_listed_for_its_communities_only(adm, clock):
    started = ok(apply(adm), 201).get_json()
    assert adm.tasks("leader-xs") == [] and adm.tasks(MEETING) == []
    review = only(adm.tasks("leader-dc", process_key="item_admission"), "镇街审查意见")
    assert review["org_unit"] == "dc"
    assert adm.complete(review["id"], "leader-dc", {"recommendation": "agree"}).status_code == 422  # opinion needed
    ok(adm.complete(review["id"], "leader-dc", {"recommendation": "agree", "opinion": "同意，需落实经费"}))
    assert adm.get("/admission/applications", "dept-cg-staff").get_json()[0]["status"] == "meeting"
    decision = only(adm.tasks(MEETING, process_key="item_admission"), "联席会议决定")
    ok(adm.complete(decision["id"], MEETING, {"decision": "approve", "reason": "有法定依据"}))
    assert adm.instance(started["id"])["status"] == "completed"

    def listed(unit, **query):
        response = ok(adm.get("/admission/items", "staff-dc-dm", query_string={"org_unit": unit, **query}))
        return [item["code"] for item in response.get_json()]

    for unit in ("dc-dm", "dc-bg"):
        assert listed(unit, status="admitted") == ["QX-CG-01"]
        assert listed(unit) == []  # in force only from its start date, 2026-05-04
    for unit in ("xs-sq", "xs-ly", "nh-hb", "nh-yz", "dc", "qingxi", "dept-zj"):
        assert listed(unit, status="all") == [], unit
    assert listed("dept-cg", status="all") == ["QX-CG-01"]  # a department's list: the items it answers for
    clock.move_to(datetime(2026, 5, 4, 8, 0, tzinfo=BEIJING))
    assert listed("dc-dm") == listed("dc-bg") == ["QX-CG-01"]
    assert listed("dc-dm-01") == ["QX-CG-01"]  # a grid inherits its community's list
    assert listed("xs-sq") == [] and listed("dc") == []
    item = adm.get("/admission/items/QX-CG-01", "resident-dc-dm").get_json()
    assert item["status"] == "admitted" and item["department"] == "dept-cg" and item["units"] == ["dc"]
    assert item["resources"]["funding"] == 20000 and item["list"] == "assist"
    assert [(v["version"], v["kind"], v["decision"]["decision"]) for v in item["versions"]] == [
        (1, "admitted", "approve")]
    assert item["versions"][0]["decision"]["town_opinions"][0]["opinion"] == "同意，需落实经费"
    assert [(e["unit"], e["version"], e["change"], e["effective"]) for e in item["lists"]] == [
        ("dc", 1, "added", "2026-05-04")]
    history = adm.get("/admission/lists/dc-dm", "staff-dc-dm").get_json()
    assert [i["code"] for i in history["items"]] == ["QX-CG-01"] and history["versions"][0]["change"] == "added"


def test_the_joint_meeting_may_approve_with_changes_or_refuse_with_reasons(adm):
    admit_case = ok(apply(adm, application(item_code="QX-CG-02", units=["dc-dm", "dc-bg"])), 201).get_json()["id"]
    refuse_case = ok(apply(adm, application(item_code="QX-CG-03", name="协助开展占道经营劝导")), 201).get_json()["id"]
    for task in adm.tasks("leader-dc", process_key="item_admission"):
        ok(adm.complete(task["id"], "leader-dc", {"recommendation": "agree_with_changes", "opinion": "只在部分社区"}))
    by_case = {t["instance_id"]: t for t in adm.tasks(MEETING, process_key="item_admission")}
    assert adm.complete(by_case[refuse_case]["id"], MEETING, {"decision": "refuse"}).status_code == 422  # reasons
    ok(adm.complete(by_case[refuse_case]["id"], MEETING, {"decision": "refuse", "reason": "属执法事项，不予准入"}))
    ok(adm.complete(by_case[admit_case]["id"], MEETING, {
        "decision": "approve_with_changes", "reason": "先在东门社区试行", "units": ["dc-dm"], "funding": 30000}))
    items = {i["code"]: i for i in adm.get("/admission/items?status=all", "admin").get_json()}
    assert set(items) == {"QX-CG-02"}
    assert items["QX-CG-02"]["units"] == ["dc-dm"] and items["QX-CG-02"]["resources"]["funding"] == 30000
    version = adm.get("/admission/items/QX-CG-02", "admin").get_json()["versions"][0]
    assert version["decision"]["decision"] == "approve_with_changes"
    assert version["decision"]["changes"]["units"] == {"from": ["dc-dm", "dc-bg"], "to": ["dc-dm"]}
    statuses = {a["instance_id"]: (a["status"], a["reason"]) for a in
                adm.get("/admission/applications", "dept-cg-staff").get_json()}
    assert statuses[admit_case] == ("approved_with_changes", "先在东门社区试行")
    assert statuses[refuse_case] == ("refused", "属执法事项，不予准入")


def _iso(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _colour(api, task_id: int) -> str:
    scheduler.tick(api.app, plan=True)
    return api.get(f"/tasks/{task_id}", MEETING).get_json()["sla_state"]


@pytest.mark.parametrize("review_after_days, before, after", [(0, (8, 59), (9, 1)), (3, (15, 47), (15, 49))])
def test_the_decision_is_due_15_working_days_after_filing_across_national_day(adm, clock, review_after_days,
                                                                              before, after):
    """Filed Monday 2026-09-21 09:00: 中秋 (Sep 25-27) and 国庆 (Oct 1-7) are days off, Saturday Oct 10 is
    a make-up working day, so the 15th working day is Monday Oct 19, whenever the town gives its
    opinion. The clock turns yellow at 80 % of the time the meeting has: 12 working days when the
    town answered at once (Wednesday Oct 14 09:00), 9.6 of the 12 left after three days (15:48)."""
    clock.move_to(datetime(2026, 9, 21, 9, 0, tzinfo=BEIJING))
    ok(apply(adm, application(valid_from="2026-12-01")), 201)
    if review_after_days:
        clock.move_to(datetime(2026, 9, 24, 9, 0, tzinfo=BEIJING))  # three working days later
    review = only(adm.tasks("leader-dc", process_key="item_admission"))
    ok(adm.complete(review["id"], "leader-dc", {"recommendation": "agree", "opinion": "同意"}))
    task = only(adm.tasks(MEETING, process_key="item_admission"), "联席会议决定")
    assert _iso(task["due_at"]) == "2026-10-19 09:00"
    steps = [((2026, 10, 9, 17, 0), "green"), ((2026, 10, 14, *before), "green"), ((2026, 10, 14, *after), "yellow"),
             ((2026, 10, 19, 8, 59), "yellow"), ((2026, 10, 19, 9, 1), "red")]
    for moment, colour in steps:
        clock.move_to(datetime(*moment, tzinfo=BEIJING))
        assert _colour(adm, task["id"]) == colour, moment


VARIANT_LEAD = 10


def _screening_variant(extra_rule: str) -> bytes:
    from tests.support import ROOT

    text = (ROOT / "processes/item_admission/item_screening.dmn").read_text(encoding="utf-8")
    text = text.replace("<text>&lt; 30</text>", f"<text>&lt; {VARIANT_LEAD}</text>")
    return text.replace('      <rule id="rule_lead_time">', extra_rule + '      <rule id="rule_lead_time">').encode()


LOCAL_RULE = """      <rule id="rule_local_door">
        <description>西山镇：不得要求村入户发放宣传单</description>
        <inputEntry id="rule_local_door_in_text"><text>"入户发放" in ?</text></inputEntry>
        <inputEntry id="rule_local_door_in_conflict"><text>-</text></inputEntry>
        <inputEntry id="rule_local_door_in_lead"><text>-</text></inputEntry>
        <inputEntry id="rule_local_door_in_period"><text>-</text></inputEntry>
        <outputEntry id="rule_local_door_out_outcome"><text>"refuse"</text></outputEntry>
        <outputEntry id="rule_local_door_out_rule"><text>"local_leaflets"</text></outputEntry>
        <outputEntry id="rule_local_door_out_reason"><text>"西山镇负面清单：不得要求村入户发放宣传单"</text>
        </outputEntry>
        <outputEntry id="rule_local_door_out_days"><text>15</text></outputEntry>
      </rule>
"""


def test_the_negative_list_and_lead_time_are_data_a_locality_variant_changes_only_its_locality(adm):
    ok(adm.deploy({"item_screening.dmn": _screening_variant(LOCAL_RULE)}, locality="xs"), 201)
    soon = application(valid_from="2026-04-01", units=["xs"])  # about 22 working days ahead
    leaflets = application(description="协助入户发放防汛宣传单", item_code="QX-CG-05")

    def outcome(data, town):
        started = ok(apply(adm, {**data, "units": [town]}, unit=town), 201).get_json()
        return adm.instance(started["id"])["data"]["screening_rule"], started["locality"]

    assert outcome(soon, "xs") == ("", "xs")  # 20 working days is enough in 西山镇
    assert outcome({**soon, "item_code": "QX-CG-04"}, "dc") == ("lead_time", None)  # not elsewhere
    assert outcome(leaflets, "xs") == ("local_leaflets", "xs")
    assert outcome({**leaflets, "item_code": "QX-CG-06"}, "nh") == ("", None)


def test_withdrawal_by_the_department_is_confirmed_by_the_joint_meeting(adm, clock):
    admit(adm)
    clock.move_to(datetime(2026, 5, 6, 9, 0, tzinfo=BEIJING))
    request = {"item_code": "QX-CG-01", "department": "dept-cg", "reason": "职责调整，改由物业承担",
               "effective_date": "2026-05-11"}
    foreign = ok(adm.start("item_withdrawal", "dept-zj", {**request, "department": "dept-zj"}, "dept-zj-staff"),
                 201).get_json()
    assert adm.instance(foreign["id"])["status"] == "completed" and adm.tasks(MEETING) == []  # not its item
    ok(adm.start("item_withdrawal", "dept-cg", request, "dept-cg-staff"), 201)
    confirm = only(adm.tasks(MEETING, process_key="item_withdrawal"), "联席会议确认退出")
    ok(adm.complete(confirm["id"], MEETING, {"confirm": "confirm", "confirm_note": "同意"}))
    item = adm.get("/admission/items/QX-CG-01", "admin").get_json()
    assert item["status"] == "admitted" and item["withdrawn_from"] == "2026-05-11"  # until its effective date
    assert [v["kind"] for v in item["versions"]] == ["admitted", "withdrawn"]
    assert item["lists"][-1]["change"] == "removed" and item["lists"][-1]["effective"] == "2026-05-11"
    clock.move_to(datetime(2026, 5, 11, 8, 0, tzinfo=BEIJING))
    assert adm.get("/admission/items/QX-CG-01", "admin").get_json()["status"] == "withdrawn"
    assert adm.get("/admission/items?org_unit=dc-dm", "staff-dc-dm").get_json() == []


def test_the_county_withdraws_without_asking_itself(adm):
    admit(adm)
    ok(adm.start("item_withdrawal", "qingxi", {"item_code": "QX-CG-01", "department": "dept-cg", "reason": "清理"},
                 "admin"), 201)
    assert adm.tasks(MEETING) == []
    assert adm.get("/admission/items/QX-CG-01", "admin").get_json()["status"] == "withdrawn"
