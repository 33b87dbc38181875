"""Issue 10, finding 10: production-safe defaults — no default SECRET_KEY on PostgreSQL, session cookies
SameSite=Lax, Secure over https and 12 hours long, API tokens that expire and that their owner lists,
rotates and revokes."""

from datetime import timedelta

import pytest
import time_machine

from tests.conftest import BASE_CONFIG
from tests.test_security_login import web_login
from workflow_app import clock, config, create_app, security


def test_the_default_secret_key_is_refused_on_postgresql():
    settings = {**BASE_CONFIG, "SECRET_KEY": config.DEFAULT_SECRET_KEY,
                "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    with pytest.raises(security.UnsafeConfiguration, match="SECRET_KEY is the built-in development default"):
        create_app(settings)
    assert create_app({**settings, "DEBUG": True}) is not None  # development on PostgreSQL stays possible
    assert create_app({**settings, "SECRET_KEY": "a-long-random-value-0123456789abcdef"}) is not None


def test_session_cookies_are_lax_httponly_and_secure_over_https(api):
    response = web_login(api.app, "staff-dc-dm")
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    expires = [part for part in cookie.split("; ") if part.startswith("Expires=")]
    assert expires, cookie
    assert "Secure" in web_login(api.app, "staff-dc-dm", base_url="https://localhost").headers["Set-Cookie"]
    assert api.app.permanent_session_lifetime == timedelta(hours=12)
    api.app.config["SESSION_COOKIE_SECURE_MODE"] = "always"
    assert "Secure" in web_login(api.app, "staff-dc-dm").headers["Set-Cookie"]


def issue(api, username="staff-dc-dm", **extra):
    response = api.client.post("/api/v1/auth/token", json={"username": username, "password": "demo123", **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def call(api, token, method="get", path="/auth/whoami", **kwargs):
    return getattr(api.client, method)(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_tokens_expire(api):
    api.app.config["API_TOKEN_DAYS"] = 30
    issued = issue(api)
    assert issued["expires_at"] and call(api, issued["token"]).status_code == 200
    with time_machine.travel(clock.now() + timedelta(days=31)):
        assert call(api, issued["token"]).status_code == 401
    short = issue(api, days=0.5)
    with time_machine.travel(clock.now() + timedelta(hours=13)):
        assert call(api, short["token"]).status_code == 401
    assert api.client.post("/api/v1/auth/token", json={"username": "staff-dc-dm", "password": "demo123",
                                                       "days": 365}).status_code == 422


def test_owners_list_rotate_and_revoke_their_tokens(api):
    first, second = issue(api, label="phone"), issue(api, label="laptop")
    listed = call(api, first["token"], path="/auth/tokens").get_json()
    assert [t["label"] for t in listed[:2]] == ["laptop", "phone"]
    assert [t["current"] for t in listed[:2]] == [False, True] and all(t["active"] for t in listed[:2])
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    rotated = call(api, first["token"], "post", f"/auth/tokens/{second['id']}/rotate", json={})
    assert rotated.status_code == 201 and rotated.get_json()["label"] == "laptop"
    assert call(api, second["token"]).status_code == 401
    assert call(api, rotated.get_json()["token"]).status_code == 200
    assert call(api, first["token"], "delete", f"/auth/tokens/{rotated.get_json()['id']}").status_code == 204
    assert call(api, rotated.get_json()["token"]).status_code == 401
    other = issue(api, "staff-xs-sq")
    assert call(api, first["token"], "delete", f"/auth/tokens/{other['id']}").status_code == 404
    assert call(api, first["token"], "post", f"/auth/tokens/{other['id']}/rotate", json={}).status_code == 404
    assert call(api, other["token"]).status_code == 200
    assert call(api, first["token"], "delete", "/auth/token").status_code == 204
    assert call(api, first["token"]).status_code == 401
