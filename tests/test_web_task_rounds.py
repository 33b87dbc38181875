"""A step that comes round again starts empty of its own earlier answers (shown as hints), while what
other steps gave still shows; a finished task shows what it was done with, not the case's later data;
the community's note reaches the town's 镇街研判."""

import pytest
import time_machine

from tests.support import with_event_handling
from tests.test_english_titles_notices import _field
from tests.test_event_handling import BIN_FULL, MONDAY_9, POTHOLE, do, report, task
from tests.test_web_pages import login, post, text
from workflow_app.extensions import db
from workflow_app.models import HumanTask
from workflow_app.web import formrounds


@pytest.fixture
def events(api):
    with time_machine.travel(MONDAY_9, tick=False):
        with_event_handling(api)
    return api


def _form(page: str, name: str) -> str:
    """The raw HTML of one editable field of the task form."""
    return page.split(f'data-field="{name}"', 1)[1].split('<div class="field', 1)[0]


def _reworked_bin(events) -> int:
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    do(events, "worker-dc-dm-01", case, "核查", {"verified": False, "verify_note": "隔壁那盏仍未清",
                                              "verify_photos": ["uploads/347eaaa03f6db1dff7b0960ed7a8d4ef.jpg"]})
    return case


def test_a_repeated_verification_starts_empty_and_shows_the_earlier_answer(events):
    case = _reworked_bin(events)
    again = task(events, "staff-dc-dm", case, "社区处置")
    page = text(login(events.app, "staff-dc-dm").get(f"/tasks/{again['id']}"))
    note = _form(page, "handling_note")
    assert "已清运</textarea>" not in note and "上一轮：" in note and "已清运" in note
    assert "checked" not in _form(page, "community_result")
    assert "隔壁那盏仍未清" in _field(page, "rework_reason")  # what the verification said still shows
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "复清T3"})
    verify = task(events, "worker-dc-dm-01", case, "核查")
    page = text(login(events.app, "worker-dc-dm-01").get(f"/tasks/{verify['id']}"))
    assert "checked" not in _form(page, "verified") and "上一轮：否" in visible_text(_form(page, "verified"))
    note = _form(page, "verify_note")
    assert "隔壁那盏仍未清</textarea>" not in note and "隔壁那盏仍未清" in note
    photos = _form(page, "verify_photos")
    assert 'name="verify_photos" value="uploads/' not in photos  # not resubmitted unless taken again
    assert "<img" in photos and "347eaaa03f6db1dff7b0960ed7a8d4ef.jpg</" not in photos  # a thumbnail, not the key
    assert "复清T3" in _field(page, "handling_note")  # this round's handling, from the other step
    english = text(login(events.app, "worker-dc-dm-01").get(f"/tasks/{verify['id']}?lang=en"))
    assert "Last round: No" in visible_text(_form(english, "verified"))


def test_a_repeated_town_decision_has_no_returning_department_ticked(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-jt"],
                                                "dispatch_note": "交通局处置"})
    do(events, "dept-jt-staff", case, "部门报到", {"check_in_note": "到场", "action": "return",
                                              "return_reason": "非交通设施"})
    again = task(events, "dispatcher-dc", case, "镇街研判")
    page = text(login(events.app, "dispatcher-dc").get(f"/tasks/{again['id']}"))
    assert "checked" not in _form(page, "departments") and "checked" not in _form(page, "decision")
    assert "交通局处置</textarea>" not in _form(page, "dispatch_note")
    assert "上一轮：" in _form(page, "departments") and "dept-jt" not in visible_text(_form(page, "departments"))
    assert "非交通设施" in _field(page, "return_summary")


def test_a_photo_already_attached_shows_as_a_thumbnail_not_its_key(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已清运"})
    verify = task(events, "worker-dc-dm-01", case, "核查")
    key = "uploads/347eaaa03f6db1dff7b0960ed7a8d4ef.jpg"
    refused = post(login(events.app, "worker-dc-dm-01"), f"/tasks/{verify['id']}/complete",
                   {"verify_note": "x", "verify_photos": key})  # 核查通过 left out: shown again
    assert refused.status_code == 422
    photos = _form(text(refused), "verify_photos")
    assert f'value="{key}" checked' in photos and f'src="/files/{key}"' in photos  # kept, as a thumbnail
    assert key not in visible_text(photos) and "照片 1" in visible_text(photos)


def test_a_parallel_instance_of_the_same_step_is_no_earlier_round(events):
    case = report(events, "dc-dm-01", POTHOLE)
    do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-jt", "dept-zj"]})
    do(events, "dept-zj-staff", case, "部门报到", {"check_in_note": "住建局已到场", "action": "handle"})
    other = task(events, "dept-jt-staff", case, "部门报到")
    page = text(login(events.app, "dept-jt-staff").get(f"/tasks/{other['id']}"))
    assert "上一轮" not in page and "住建局已到场" not in page


def test_a_form_may_keep_a_field_of_the_earlier_round(events):
    case = _reworked_bin(events)
    with events.app.test_request_context():
        row = db.session.get(HumanTask, task(events, "staff-dc-dm", case, "社区处置")["id"])
        schema = {"properties": {"handling_note": {"type": "string"},
                                 "community_result": {"type": "string", "x-keep-previous": True}}}
        form = {"schema": schema, "values": {"handling_note": "已清运", "community_result": "resolved"}}
        assert formrounds.earlier(row, form) == {"handling_note": "已清运"}
        db.session.remove()


def test_a_finished_town_decision_shows_what_it_saw_then(events):
    case = report(events, "dc-dm-01", POTHOLE)
    first = do(events, "dispatcher-dc", case, "镇街研判",
               {"decision": "whistle", "departments": ["dept-jt", "dept-zj"]})
    do(events, "dept-zj-staff", case, "部门报到", {"check_in_note": "到场", "action": "handle"})
    do(events, "dept-jt-staff", case, "部门报到", {"check_in_note": "到场", "action": "return",
                                              "return_reason": "非交通设施"})
    do(events, "dept-zj-staff", case, "部门处置", {"handling_note": "已修补"})
    second = do(events, "dispatcher-dc", case, "镇街研判", {"decision": "whistle", "departments": ["dept-cg"]})
    browser = login(events.app, "dispatcher-dc")
    done = text(browser.get(f"/tasks/{first['id']}"))
    assert "交通运输局" in _field(done, "departments") and "城市管理局" not in _field(done, "departments")
    assert 'data-field="departments_done"' not in done and 'data-field="return_summary"' not in done
    later = text(browser.get(f"/tasks/{second['id']}"))
    assert "城市管理局" in _field(later, "departments") and "非交通设施" in _field(later, "return_summary")
    api_view = events.get(f"/tasks/{first['id']}", "dispatcher-dc").get_json()["form"]["values"]
    assert api_view["departments"] == ["dept-jt", "dept-zj"] and not api_view.get("departments_done")


def test_the_communitys_note_reaches_the_town(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve",
                                              "handling_note": "路灯属城管局维护，社区无权维修"})
    town = task(events, "dispatcher-dc", case, "镇街研判")
    browser = login(events.app, "dispatcher-dc")
    chinese = _field(text(browser.get(f"/tasks/{town['id']}?lang=zh")), "escalation_reason")
    assert "社区无法解决" in chinese and "社区说明" in chinese and "路灯属城管局维护，社区无权维修" in chinese
    english = _field(text(browser.get(f"/tasks/{town['id']}?lang=en")), "escalation_reason")
    assert "Note from the community" in english and "路灯属城管局维护" in english


def visible_text(html: str) -> str:
    from tests.test_web_case_pages import visible

    return visible(f"<main>{html}</main>")
