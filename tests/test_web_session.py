"""Web sessions: login with CSRF, the inbox page, logout; bulk import from the command line."""

import re

from tests.support import ok, sample_bundle


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def test_login_needs_csrf_and_shows_the_inbox(api):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", {"category": "environment", "severity": "general",
                                             "description": "路边垃圾堆放"}, "worker-dc-dm-01"), 201)
    browser = api.app.test_client()
    assert browser.get("/inbox").status_code == 302
    login_page = browser.get("/login")
    assert login_page.status_code == 200 and "登录".encode() in login_page.data
    no_token = browser.post("/login", data={"username": "staff-dc-dm", "password": "demo123"})
    assert no_token.status_code == 400  # CSRF token missing
    wrong = browser.post("/login", data={"username": "staff-dc-dm", "password": "nope",
                                         "csrf_token": _csrf(login_page.data)})
    assert wrong.status_code == 401
    signed_in = browser.post("/login", data={"username": "staff-dc-dm", "password": "demo123",
                                             "csrf_token": _csrf(browser.get("/login").data)})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/inbox")
    inbox = browser.get("/inbox")
    assert inbox.status_code == 200 and "社区处置".encode() in inbox.data and "路边垃圾堆放".encode() in inbox.data
    assert browser.post("/logout").status_code == 400  # CSRF applies to logout too
    assert browser.post("/logout", data={"csrf_token": _csrf(inbox.data)}).status_code == 302
    assert browser.get("/inbox").status_code == 302


def test_login_redirect_stays_on_site(api):
    browser = api.app.test_client()
    token = _csrf(browser.get("/login").data)
    response = browser.post("/login?next=//evil.example/x", data={"username": "admin", "password": "demo123",
                                                                  "csrf_token": token})
    assert response.headers["Location"].endswith("/inbox")


def test_api_does_not_accept_the_session_cookie(api):
    browser = api.app.test_client()
    token = _csrf(browser.get("/login").data)
    signed_in = browser.post("/login", data={"username": "admin", "password": "demo123", "csrf_token": token})
    assert signed_in.status_code == 302 and browser.get("/inbox").status_code == 200  # the session works on pages
    assert browser.get("/api/v1/auth/whoami").status_code == 401


def test_cli_import(app, tmp_path):
    runner = app.test_cli_runner()
    migrated = runner.invoke(args=["migrate"])
    assert migrated.exit_code == 0, migrated.output
    units = tmp_path / "units.csv"
    units.write_text("code,name_zh,level,type,parent\nc1,示范县,county,area,\nt1,一镇,town,area,c1\n",
                     encoding="utf-8")
    result = runner.invoke(args=["import-org", "org_units", str(units)])
    assert result.exit_code == 0 and "2 created" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_zh,level,type,parent\nt2,二镇,town,area,missing\n", encoding="utf-8")
    result = runner.invoke(args=["import-org", "org_units", str(bad)])
    assert result.exit_code != 0 and '"row": 2' in result.output
