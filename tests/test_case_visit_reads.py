"""Opening a case reads the notifications about it: the badge goes down by those, and only those."""

import pytest

from tests.support import ok, with_event_handling
from tests.test_event_handling import BIN_FULL, do, report
from tests.test_web_pages import login, text

REPORTER = "resident-dc-dm"


@pytest.fixture
def events(api):
    return with_event_handling(api)


def unread(api, username: str) -> list[dict]:
    return ok(api.get("/notifications", username)).get_json()


def test_opening_a_case_reads_its_notifications_and_no_others(events):
    first = report(events, "dc-dm-01", BIN_FULL, user=REPORTER)
    second = report(events, "dc-dm-02", BIN_FULL, user=REPORTER)
    for case in (first, second):
        do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    before = unread(events, REPORTER)
    assert {n["instance_id"] for n in before} >= {first, second}
    browser = login(events.app, REPORTER)
    ok(browser.get(f"/cases/{first}"))
    after = unread(events, REPORTER)
    assert first not in {n["instance_id"] for n in after}
    assert [n for n in before if n["instance_id"] != first] == after  # the other case's stay unread
    badge = text(ok(browser.get("/reports/mine")))
    assert f'class="badge" aria-label="{len(after)} 条未读">{len(after)}</span>' in badge


def test_a_refused_case_page_reads_nothing(events):
    case = report(events, "dc-dm-01", BIN_FULL, user=REPORTER)
    do(events, "staff-dc-dm", case, "社区受理", {"accepted": True})
    assert login(events.app, "staff-xs-sq").get(f"/cases/{case}").status_code in (403, 404)
    assert any(n["instance_id"] == case for n in unread(events, REPORTER))
