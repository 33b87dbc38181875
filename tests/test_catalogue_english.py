"""The event catalogue in English: optional CSV columns (category_en, subcategory_en, condition_en,
closing_condition_en) kept with each condition and used in English mode wherever a condition is
shown (the report's 立案条件 picker, task and case pages, the choice text of the API forms); a
catalogue without them still imports and shows its Chinese."""

import csv
import io
import re

import pytest
import time_machine

from tests.support import ok, with_event_handling
from tests.test_catalogue import CSV, _import
from tests.test_event_handling import BIN_FULL, MONDAY_9, report, task
from tests.test_web_case_pages import visible
from tests.test_web_pages import login, text

CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH = ("category_en", "subcategory_en", "condition_en", "closing_condition_en")


def _without_english(content: bytes) -> bytes:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, [k for k in rows[0] if k not in ENGLISH], extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_every_shipped_condition_has_its_english():
    rows = list(csv.DictReader(io.StringIO(CSV.decode("utf-8"))))
    assert rows and all(r[k] and not CJK.search(r[k]) for r in rows for k in ENGLISH)
    by_code = {r["condition_code"]: r for r in rows}
    assert by_code["B0301-01"]["subcategory_en"] == "Litter bins"
    assert by_code["E0701-01"]["category_en"] == "Disputes"


def test_the_english_columns_are_kept_and_looked_up(api):
    ok(_import(api, CSV))
    found = api.get("/catalogue/B0301-01", "worker-dc-dm-01").get_json()
    assert (found["category_en"], found["subcategory_en"]) == ("City appearance facilities", "Litter bins")
    assert found["condition_en"] == "Litter bin overflowing, not emptied in time"
    assert found["closing_condition_en"] == "Emptied, surroundings cleaned"
    assert {c["code"] for c in api.get("/catalogue?q=litter", "worker-dc-dm-01").get_json()} >= {"B0301-01"}


def test_a_catalogue_without_english_still_imports_and_shows_its_chinese(api):
    plain = _without_english(CSV)
    assert b"condition_en" not in plain
    ok(_import(api, plain))
    found = api.get("/catalogue/B0301-01", "worker-dc-dm-01").get_json()
    assert found["subcategory"] == "垃圾桶" and found["subcategory_en"] is None
    with api.app.test_request_context("/?lang=en"):
        from workflow_app.catalogue import conditions

        assert conditions.label(found, english=True) == "垃圾桶: 垃圾桶满溢未及时清运"  # the Chinese where none


def test_an_overlong_english_cell_is_refused(api):
    rows = CSV.decode("utf-8").split("\n")
    rows[1] = rows[1] + "x" * 400
    refused = _import(api, "\n".join(rows).encode())
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"closing_condition_en"}


@pytest.fixture
def events(api):
    with time_machine.travel(MONDAY_9, tick=False):
        with_event_handling(api)
        yield api


def _options(page: str) -> tuple[list[str], list[str]]:
    picker = page.split('data-field="condition_code"', 1)[1].split("</select>", 1)[0]
    groups = re.findall(r'<optgroup label="([^"]*)"', picker)
    return groups, [o.strip() for o in re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]*)</option>", picker)]


def test_the_report_picker_speaks_the_page_language(events):
    worker = login(events.app, "worker-dc-dm-01")
    groups, options = _options(text(worker.get("/report/event_handling?lang=en")))
    assert "Facility · City appearance facilities" in groups and "Event · Disputes" in groups
    assert "Litter bins: Litter bin overflowing, not emptied in time" in options
    assert all(not CJK.search(g) for g in groups) and all(not CJK.search(o) for o in options)
    english = text(worker.get("/report/event_handling?lang=en"))
    assert 'data-search="B0301-01 市容环境设施 City appearance facilities' in english  # either language finds it
    groups, options = _options(text(worker.get("/report/event_handling?lang=zh")))
    assert "部件 · 市容环境设施" in groups and "垃圾桶：垃圾桶满溢未及时清运" in options


def test_the_condition_is_shown_in_english_on_the_task_and_case_pages(events):
    case = report(events, "dc-dm-01", BIN_FULL, user="resident-dc-dm", contact_phone="13800000000")
    accept = task(events, "staff-dc-dm", case, "社区受理")
    staff = login(events.app, "staff-dc-dm")
    page = visible(text(staff.get(f"/tasks/{accept['id']}?lang=en")))
    assert "Litter bins: Litter bin overflowing, not emptied in time" in page and "垃圾桶满溢" not in page
    assert "垃圾桶：垃圾桶满溢未及时清运" in visible(text(staff.get(f"/tasks/{accept['id']}?lang=zh")))
    case_page = visible(text(staff.get(f"/cases/{case}?lang=en")))
    assert "Litter bins: Litter bin overflowing, not emptied in time" in case_page


def test_the_api_form_choices_carry_the_english(events):
    from workflow_app import taskforms

    with events.app.app_context():
        document = {"properties": {"condition_code": {"type": "string", "x-widget": "catalogue"}}}
        choices = {code: (zh, en) for code, zh, en in taskforms.reference_choices(document)["condition_code"]}
    assert choices["B0301-01"] == ("B0301-01 垃圾桶：垃圾桶满溢未及时清运",
                                   "B0301-01 Litter bins: Litter bin overflowing, not emptied in time")
