"""English mode beyond the stages: case titles by the models' English (``name_en`` of the process,
``title_en`` of the data, the catalogue's English for what event handling files), notifications
read from their message id and arguments (older ones from their Chinese text), the board's words,
and the reasons a task comes back, recorded by the model and labelled by the forms."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ok, sample_bundle, with_event_handling
from tests.test_event_handling import BIN_FULL, MONDAY_9, POTHOLE, do, report, task
from tests.test_web_case_pages import visible
from tests.test_web_pages import login, text
from workflow_app.extensions import db
from workflow_app.models import HumanTask, Notification, User
from workflow_app.timers import scheduler

CJK = re.compile(r"[\u3400-\u9fff]")
MINOR = {"category": "environment", "severity": "minor", "description": "Loose manhole cover",
         "address": "East Gate Rd"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def events(api):
    with time_machine.travel(MONDAY_9, tick=False):
        with_event_handling(api)
        yield api


@pytest.fixture
def breached(api):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as clock:
        ok(api.deploy(sample_bundle()), 201)
        case = ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201).get_json()["id"]
        clock.move_to(datetime(2026, 3, 2, 11, 30, tzinfo=SHANGHAI))
        assert scheduler.tick(api.app, plan=True)["red"] == 1
        api.case = case
        yield api


def _cards(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(r'<article class="card task[^"]*"[^>]*>.*?</h3>\s*<div>(.*?)</div>', page, re.S)]


# --- 1. case titles ----------------------------------------------------------------------------

def test_an_event_title_is_english_in_english_mode_and_the_api_keeps_title(events):
    case = report(events, "dc-dm-01", BIN_FULL, description="bin overflowing again")
    [row] = events.tasks("staff-dc-dm", instance_id=case)
    assert row["title"] == "事件处置·垃圾桶：bin overflowing again"  # the field as it always was
    assert row["title_en"] == "Event handling·Litter bins: bin overflowing again"
    staff = login(events.app, "staff-dc-dm")
    assert "Event handling·Litter bins: bin overflowing again" in _cards(text(staff.get("/inbox?lang=en")))
    assert "事件处置·垃圾桶：bin overflowing again" in _cards(text(staff.get("/inbox?lang=zh")))
    heading = re.search(r"<h1>(.*?)<small", text(staff.get(f"/cases/{case}?lang=en")), re.S).group(1).strip()
    assert heading == "Litter bins: bin overflowing again"
    task_page = text(staff.get(f"/tasks/{row['id']}?lang=en"))
    assert "<strong>Event handling·Litter bins: bin overflowing again</strong>" in task_page


def test_the_board_shows_the_title_by_the_process_english(breached):
    page = text(login(breached.app, "supervisor").get("/supervision?lang=en"))
    assert "Minor matters, quickly·Loose manhole cover" in page and "小事快办·" not in page
    assert "小事快办·Loose manhole cover" in text(login(breached.app, "supervisor").get("/supervision?lang=zh"))


def test_the_supervision_cases_api_gives_the_english_title_beside_the_title(breached):
    rows = ok(breached.get("/supervision/cases?org_unit=dc&colour=red", "leader-dc")).get_json()
    [row] = [r for r in rows if r["instance_id"] == breached.case]
    assert row["title"].startswith("小事快办·") and row["title_en"] == "Minor matters, quickly·Loose manhole cover"


def test_an_older_task_without_english_shows_its_chinese_title(events):
    case = report(events, "dc-dm-01", BIN_FULL, description="bin")
    with events.app.app_context():
        db.session.query(HumanTask).filter_by(instance_id=case).update({"title_en": None})
        db.session.commit()
    staff = login(events.app, "staff-dc-dm")
    assert "事件处置·垃圾桶：bin" in _cards(text(staff.get("/inbox?lang=en")))


# --- 2. notifications --------------------------------------------------------------------------

def _notes(api, username: str) -> list[Notification]:
    with api.app.app_context():
        rows = db.session.execute(db.select(Notification).join(User, User.id == Notification.user_id)
                                  .where(User.username == username).order_by(Notification.id)).scalars().all()
        db.session.expunge_all()
    return rows


def test_each_notification_keeps_its_message_id_and_arguments(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj"],
                                                "dispatch_note": "尽快处置"})
    report_in = task(events, "dept-zj-staff", case, "部门报到")
    ok(events.post(f"/tasks/{report_in['id']}/urge", "supervisor", json={}), 200)
    kinds = {n.kind: n.params for n in _notes(events, "dept-zj-staff")}
    assert kinds["case_whistled"]["key"] == "case_whistled"
    assert kinds["case_whistled"]["args"]["step"] == {"zh": "部门报到", "en": "Department reports in"}
    assert kinds["case_whistled"]["args"]["case"] == case and kinds["case_whistled"]["args"]["note"] == "尽快处置"
    assert kinds["urge"]["key"] == "urge" and kinds["urge"]["args"]["message"]["en"].startswith("Please handle")
    [api_note] = [n for n in events.get("/notifications", "dept-zj-staff").get_json() if n["kind"] == "urge"]
    assert api_note["title_en"].startswith("Urged: Department reports in·Event handling·Road surface: ")
    assert "Urged by: " in api_note["body_en"] and "催办人：" in api_note["body"]


def test_a_notification_reads_from_its_arguments_not_its_text(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    with events.app.app_context():
        note = db.session.execute(db.select(Notification).where(Notification.kind == "case_closed")).scalar_one()
        note.title = "另一种说法"  # the stored text no longer matches any wording: the arguments still say it
        db.session.commit()
    worker = login(events.app, "worker-dc-dm-01")
    english = visible(text(worker.get("/notifications?lang=en")))
    assert f"Your report was resolved and closed (#{case})" in english


def test_an_older_notification_without_arguments_is_read_from_its_text(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    with events.app.app_context():
        [row] = db.session.execute(db.select(HumanTask).where(HumanTask.instance_id == case)).scalars().all()
        user_id = db.session.execute(db.text("select id from app_user where username = 'staff-dc-dm'")).scalar_one()
        db.session.add(Notification(user_id=user_id, at=row.created_at, kind="case_rework",
                                    title=f"核查不通过：请返工整改（#{case}）",
                                    body=f"{row.name}时限：2026-03-02 13:00前",
                                    human_task_id=row.id, instance_id=case))
        db.session.commit()
    english = visible(text(login(events.app, "staff-dc-dm").get("/notifications?lang=en")))
    assert f"Verification failed: please rework it (#{case})" in english
    assert "Community handles: due by 2026-03-02 13:00" in english


def test_the_leaders_read_a_breach_in_english(breached):
    [note] = [n for n in breached.get("/notifications", "gridlead-dc-dm-01").get_json() if n["kind"] == "sla_red"]
    assert note["title"] == "超时：网格自行处置已超过办理时限·小事快办·Loose manhole cover"
    assert note["title_en"] == "Overdue: Grid worker handles is past its time limit·Minor matters, quickly·" \
                               "Loose manhole cover"


# --- 3. the board's words -----------------------------------------------------------------------

def test_the_board_says_suspended_and_assignee_in_english(breached):
    page = text(login(breached.app, "supervisor").get("/supervision?org_unit=dc&colour=all&lang=en"))
    tiles = re.findall(r'<div class="tile[^"]*"><small>(.*?)</small>', page)
    assert "Suspended" in tiles and all(not CJK.search(t) for t in tiles)
    assert "Assignee: " in page and "Assignee：" not in page and "挂账" not in page
    chinese = text(login(breached.app, "supervisor").get("/supervision?org_unit=dc&colour=all&lang=zh"))
    assert "承办人：" in chinese


# --- 4. why a task comes back --------------------------------------------------------------------

def _field(page: str, name: str) -> str:
    return visible(page.split(f'data-field="{name}"', 1)[1].split('<div class="field', 1)[0].join(("<main>",
                                                                                                  "</main>")))


def test_a_rework_says_why_in_english(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": False, "verify_note": "桶边仍有散落垃圾"})
    again = task(events, "staff-dc-dm", case, "社区处置")
    staff = login(events.app, "staff-dc-dm")
    english = _field(text(staff.get(f"/tasks/{again['id']}?lang=en")), "rework_reason")
    assert "Verification failed" in english and "Rework no." in english and "桶边仍有散落垃圾" in english
    assert not CJK.search(english.replace("桶边仍有散落垃圾", ""))
    chinese = _field(text(staff.get(f"/tasks/{again['id']}?lang=zh")), "rework_reason")
    assert "核查不通过" in chinese and "第几次返工" in chinese


def test_an_escalation_says_why_in_english(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve", "handling_note": "涉及多部门"})
    town = task(events, "dispatcher-dc", case, "镇街研判")
    browser = login(events.app, "dispatcher-dc")
    english = _field(text(browser.get(f"/tasks/{town['id']}?lang=en")), "escalation_reason")
    assert "The community cannot solve it" in english and not CJK.search(english.replace("涉及多部门", ""))
    assert "社区无法解决" in _field(text(browser.get(f"/tasks/{town['id']}?lang=zh")), "escalation_reason")


def test_a_reopen_and_a_department_return_say_why_in_english(events):
    case = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm", contact_phone="13800000000")
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已处置"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
    do(events, "staff-dc-dm", case, "回访", {"satisfaction": "不满意", "callback_note": "仍有异味"})
    again = task(events, "staff-dc-dm", case, "社区处置")
    english = _field(text(login(events.app, "staff-dc-dm").get(f"/tasks/{again['id']}?lang=en")), "reopen_reason")
    assert "The resident was not satisfied at the callback" in english and "Callback note" in english
    assert "仍有异味" in english and not CJK.search(english.replace("仍有异味", ""))


def test_a_department_return_says_why_in_english(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-zj", "dept-jt"],
                                                "lead_department": "dept-zj"})
    do(events, "dept-zj-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
    do(events, "dept-jt-staff", case, "部门报到", {"check_in_note": "到场", "action": "return",
                                              "return_reason": "非交通设施"})
    do(events, "dept-zj-staff", case, "部门处置", {"handling_note": "已修补"})
    town = task(events, "dispatcher-dc", case, "镇街研判")
    english = _field(text(login(events.app, "dispatcher-dc").get(f"/tasks/{town['id']}?lang=en")),
                     "escalation_reason")
    assert "Returned by departments: please reassign" in english and "Return reasons" in english
    assert "非交通设施" in english and not CJK.search(english.replace("非交通设施", ""))
