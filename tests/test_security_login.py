"""Issue 10, finding 9: failed logins back off per account, per address and per pair — one office
behind a NAT is not locked out, nobody can lock out ``admin`` — and login redirects stay on the site."""

from datetime import timedelta

import pytest
import time_machine

from tests.test_web_pages import csrf
from workflow_app import clock
from workflow_app.auth import login as login_service

OFFICE, ATTACKER, HOME = "10.1.1.1", "203.0.113.66", "198.51.100.7"


def token_call(api, username, password, addr):
    return api.client.post("/api/v1/auth/token", json={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": addr})


def web_login(app, username, password="demo123", target=None, addr=HOME, base_url="http://localhost"):
    browser = app.test_client()
    token = csrf(browser.get("/login", base_url=base_url).data)
    path = "/login" if target is None else f"/login?next={target}"
    return browser.post(path, data={"username": username, "password": password, "csrf_token": token},
                        environ_base={"REMOTE_ADDR": addr}, base_url=base_url,
                        headers={"Referer": f"{base_url}/login"})


COMMUNITIES = ("dc-dm", "dc-bg", "xs-sq", "xs-ly", "nh-hb", "nh-yz")


def test_one_office_behind_a_nat_is_not_locked_out(api):
    people = [f"{kind}-{c}-0{n}" for kind in ("worker", "gridlead") for c in COMMUNITIES for n in (1, 2)][:21]
    for _ in range(3):  # 63 mistyped passwords from one address, three per person
        for username in people:
            assert token_call(api, username, "wrong", OFFICE).status_code == 401
    assert token_call(api, "head-dc-dm", "demo123", OFFICE).status_code == 200
    assert token_call(api, "staff-dc-dm", "demo123", HOME).status_code == 200


def test_nobody_can_lock_out_admin(api):
    for _ in range(60):
        assert token_call(api, "admin", "guess", ATTACKER).status_code in (401, 429)
    assert token_call(api, "admin", "demo123", OFFICE).status_code == 200


def test_guessing_one_account_from_one_address_backs_off_without_a_lock(api):
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller, api.app.app_context():
        statuses = [token_call(api, "worker-dc-dm-01", "guess", ATTACKER).status_code for _ in range(8)]
        assert statuses[:login_service.PAIR_FREE] == [401] * login_service.PAIR_FREE and 429 in statuses
        throttled = token_call(api, "worker-dc-dm-01", "demo123", ATTACKER)
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
        assert "try again in" in throttled.get_json()["message"]
        waits = []
        for _ in range(4):  # each counted failure doubles the wait; refused tries do not count
            wait = login_service.wait_seconds("worker-dc-dm-01", ATTACKER)
            waits.append(wait)
            traveller.shift(timedelta(seconds=wait + 1))
            assert token_call(api, "worker-dc-dm-01", "guess", ATTACKER).status_code == 401
        assert waits == sorted(waits) and waits[-1] >= 2 * waits[0]
        traveller.shift(timedelta(seconds=login_service.wait_seconds("worker-dc-dm-01", ATTACKER) + 1))
        assert token_call(api, "worker-dc-dm-01", "demo123", ATTACKER).status_code == 200
        assert login_service.wait_seconds("worker-dc-dm-01", ATTACKER) == 0  # success clears the pair


def test_the_web_login_shows_the_back_off_in_chinese(api):
    for _ in range(login_service.PAIR_FREE + 1):
        page = web_login(api.app, "designer", "x")
    assert page.status_code == 429 and "秒后再试" in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "/%0d%0a/evil.example", "/\t/evil.example", "http:/evil.example",
                                    "/%5Cevil.example", " //evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(api, target):
    response = web_login(api.app, "staff-dc-dm", target=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/inbox" or (location.startswith("/") and not location.startswith(("//", "/\\")))
    assert "evil" not in location


def test_login_keeps_a_same_site_next(api):
    response = web_login(api.app, "staff-dc-dm", target="/cases/1%3Ftab%3Dhistory")
    assert response.headers["Location"] == "/cases/1?tab=history"
