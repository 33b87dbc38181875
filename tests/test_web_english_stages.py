"""English mode: stages (环节), steps and processes by the English the models give (``stage_en``,
``name_en``) on the supervision board and the case page; the Chinese where a model gives none;
a locality's variant by its own English."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ROOT, bundle, ok, sample_bundle, with_event_handling
from tests.test_event_handling import BIN_FULL, MONDAY_9, do, report
from tests.test_web_pages import login, text
from workflow_app.timers import scheduler

CJK = re.compile(r"[\u3400-\u9fff]")
MINOR = {"category": "environment", "severity": "minor", "description": "井盖松动", "address": "东门路"}


def _rows(page: str, css: str) -> list[str]:
    """The visible text of each element of class ``css``."""
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(rf'class="{css}"[^>]*>(.*?)</(?:tr|span)>', page,
                                                                   re.S)]


def _without_english(files: dict[str, bytes], english: str, instead: str | None = None) -> dict[str, bytes]:
    """The bundle with one stage's English removed from its BPMN (or replaced by ``instead``)."""
    tag = re.compile(rf'<spiffworkflow:property name="stage_en" value="{english}" ?/>'.encode())
    out = {}
    for name, content in files.items():
        if name.endswith(".bpmn"):
            assert tag.search(content)
            out[name] = tag.sub(f'<spiffworkflow:property name="stage_en" value="{instead}"/>'.encode()
                                if instead else b"", content)
        else:
            out[name] = content
    return out


@pytest.fixture
def breached(api):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False) as clock:
        ok(api.deploy(sample_bundle()), 201)
        ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201)
        clock.move_to(datetime(2026, 3, 2, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
        assert scheduler.tick(api.app, plan=True)["red"] == 1
        yield api


def test_the_board_names_stages_steps_and_processes_in_english(breached):
    page = text(login(breached.app, "supervisor").get("/supervision?lang=en"))
    stages = _rows(page, "stage-row")
    assert stages and stages[0].startswith("Grid handling") and all(not CJK.search(s) for s in stages)
    chips = _rows(page, "stage")
    assert chips and all(c == "Stage: Grid handling" for c in chips)
    assert "Grid worker handles</a>" in page and "网格自行处置" not in page  # the breach's step by name_en
    assert "Minor matters, quickly</td>" in page  # the process by its name_en
    chinese = text(login(breached.app, "supervisor").get("/supervision?lang=zh"))
    assert "网格处置" in chinese and "Grid handling" not in chinese


def test_a_stage_without_english_stays_chinese(api):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        ok(api.deploy(_without_english(sample_bundle(), "Grid handling")), 201)
        ok(api.start("minor_event", "dc-dm-01", {**MINOR, "severity": "minor"}, "worker-dc-dm-01"), 201)
        page = text(login(api.app, "supervisor").get("/supervision?org_unit=dc&colour=all&lang=en"))
    stages = _rows(page, "stage-row")
    assert any(s.startswith("网格处置") for s in stages)  # no English in the model: the Chinese


@pytest.fixture
def events(api):
    with time_machine.travel(MONDAY_9, tick=False):
        with_event_handling(api)
        yield api


def _notes(page: str) -> list[str]:
    return [s.strip() for s in re.findall(r'<article class="card stage-note"[^>]*>\s*<strong>(.*?)</strong>', page)]


def test_the_case_page_names_its_stage_notes_and_open_steps_in_english(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve", "handling_note": "社区协调未果"})
    browser = login(events.app, "dispatcher-dc")
    english = text(browser.get(f"/cases/{case}?lang=en"))
    assert _notes(english) == ["Community handling"]
    steps = re.findall(r'<article class="card task[^"]*">\s*<h3>(.*?)</h3>', english, re.S)
    assert [re.sub(r"<[^>]+>", "", s) for s in steps] == ["Town assesses"]  # the open step by its name_en
    assert _notes(text(browser.get(f"/cases/{case}?lang=zh"))) == ["社区处置"]


def test_the_case_page_names_its_waiting_timers_in_english(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    page = text(login(events.app, "dispatcher-dc").get(f"/cases/{case}?lang=en"))
    timers = re.findall(r'<div class="card"><strong>(.*?)</strong>', page, re.S)
    assert "Community overdue" in timers and not any(CJK.search(t) for t in timers)


def test_a_locality_variant_names_its_stages_by_its_own_english(events):
    shipped = bundle(ROOT / "processes" / "event_handling")
    ok(events.deploy(_without_english(shipped, "Community handling", "Neighbourhood handling"), locality="dc",
                     key="event_handling"), 201)
    case = report(events, "dc-dm-01", BIN_FULL)
    do(events, "staff-dc-dm", case, "社区处置", {"community_result": "cannot_solve", "handling_note": "社区协调未果"})
    assert _notes(text(login(events.app, "dispatcher-dc").get(f"/cases/{case}?lang=en"))) == \
        ["Neighbourhood handling"]


def test_the_supervision_opinion_is_labelled_by_the_forms_in_either_language(events):
    from tests.test_event_handling import task

    case = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm", contact_phone="13800000000")
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    for _round in (1, 2):
        do(events, "staff-dc-dm", case, "社区处置", {"community_result": "resolved", "handling_note": "已处置"})
        do(events, "worker-dc-dm-01", case, "核查", {"verified": True})
        do(events, "staff-dc-dm", case, "回访", {"satisfaction": "不满意", "callback_note": "仍有异味"})
    do(events, "supervisor", case, "督办", {"supervision_opinion": "责成社区每日巡查", "measures": "周报"})
    again = task(events, "staff-dc-dm", case, "社区处置")
    browser = login(events.app, "staff-dc-dm")
    english = text(browser.get(f"/tasks/{again['id']}?lang=en"))
    labels = re.findall(r"<dt>(.*?)</dt>", _field(english, "reopen_reason"))
    assert labels == ["Supervision opinion", "Measures"]  # the labels by the form, not "督办意见："
    assert "责成社区每日巡查" in _field(english, "reopen_reason")  # what the supervisor wrote, as written
    chinese = _field(text(browser.get(f"/tasks/{again['id']}?lang=zh")), "reopen_reason")
    assert re.findall(r"<dt>(.*?)</dt>", chinese) == ["督办意见", "整改措施"]


def _field(page: str, name: str) -> str:
    return page.split(f'data-field="{name}"', 1)[1].split('<div class="field', 1)[0]


def test_english_pages_write_lists_and_labels_the_english_way(events):
    case = report(events, "dc-dm-01", BIN_FULL)
    browser = login(events.app, "dispatcher-dc")
    english = text(browser.get(f"/cases/{case}?lang=en"))
    filled = re.findall(r"Filled in(.)(.*?)</div>", english)
    assert filled and all(sep == ":" and "、" not in shown for sep, shown in filled)
    chinese = text(browser.get(f"/cases/{case}?lang=zh"))
    assert re.search(r"填写：[^<]*、", chinese)  # Chinese keeps its own colon and list mark
