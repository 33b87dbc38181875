"""What a resident is offered: they land on 我上报的, their menu holds only the pages their roles
may use, a start lane for staff is not theirs to start, and every refusal is a sentence in the
page's language without usernames or codes."""

from tests.support import ROOT, bundle, ok
from tests.test_web_pages import csrf, login, text
from workflow_app.cases import starting
from workflow_app.models import User
from workflow_app.web import refusals

RESIDENT = "resident-dc-dm"


def test_a_resident_lands_on_their_reports_and_staff_on_their_inbox(api):
    for username, landing in ((RESIDENT, "/reports/mine"), ("staff-dc-dm", "/inbox")):
        browser = api.app.test_client()
        token = csrf(browser.get("/login").data)
        answer = browser.post("/login", data={"username": username, "password": "demo123", "csrf_token": token})
        assert answer.status_code == 302 and answer.headers["Location"].endswith(landing), username
        assert browser.get("/").headers["Location"].endswith(landing), username


def test_the_menu_shows_only_what_the_person_may_use(api):
    resident = text(ok(login(api.app, RESIDENT).get("/reports/mine")))
    assert 'href="/reports/mine"' in resident and 'href="/notifications"' in resident
    for internal in ('href="/admission"', 'href="/service-day"', 'href="/supervision"', 'href="/designer"'):
        assert internal not in resident, internal
    staff = text(ok(login(api.app, "staff-dc-dm").get("/inbox")))
    assert 'href="/admission"' in staff


def test_a_start_lane_for_staff_is_not_offered_to_residents(api):
    ok(api.deploy(bundle(ROOT / "processes" / "evaluation_appeal")), 201)
    with api.app.app_context():
        def offered(username):
            person = User.query.filter_by(username=username).one()
            return {option.key for option in starting.options(person)}

        assert "evaluation_appeal" not in offered(RESIDENT)
        assert "evaluation_appeal" in offered("staff-dc-dm")
    appeal = {"subject": "dc-dm", "period": "2026-02", "indicator": "按期办结率", "reason": "数字不对"}
    assert api.start("evaluation_appeal", "dc-dm", appeal, RESIDENT).status_code == 403
    assert "考核申诉" not in text(login(api.app, RESIDENT).get("/report"))


def test_a_refusal_page_is_a_sentence_in_the_page_language(api):
    browser = login(api.app, RESIDENT)
    for path in ("/admission/apply", "/designer", "/operations"):
        page = browser.get(path)
        assert page.status_code == 403, path
        body = text(page)
        assert RESIDENT not in body and "may not" not in body and "files for" not in body, path
        assert "无权" in body or "只有" in body, path
    english = text(browser.get("/admission/apply?lang=en"))
    assert RESIDENT not in english and "Only department staff" in english
    assert "Back to my reports" in english


def test_every_service_refusal_reads_without_names_or_codes(app):
    with app.test_request_context("/?lang=zh"):
        for message in ("resident-dc-dm files for no department", "x may not see task 12 (社区受理)",
                        "x does not supervise dc", "something new nobody wrote a pattern for"):
            sentence = refusals.refusal(message)
            assert sentence and "x" not in sentence and "dc" not in sentence and "12" not in sentence
