"""Production-safe defaults, installed on every app (see docs/security.md).

- The built-in development ``SECRET_KEY`` is refused on PostgreSQL unless debug is on: anyone who
  knows it could forge sessions.
- Session cookies are ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` when served over https (or
  always / never: ``WORKFLOW_COOKIE_SECURE``), and last 12 hours (``WORKFLOW_SESSION_HOURS``).
- ``WORKFLOW_TRUSTED_PROXIES`` proxies' ``X-Forwarded-For`` is believed (login limits are per address).
- Every request passes the input guard (``inputguard``); answers never carry ``NaN``.
"""

from datetime import timedelta

from flask import request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, inputguard


class UnsafeConfiguration(RuntimeError):
    """The app refuses to start in a configuration that is unsafe in production."""


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with ``Secure`` decided per request in "auto" mode."""

    def get_cookie_secure(self, app) -> bool:
        mode = app.config.get("SESSION_COOKIE_SECURE_MODE", "auto")
        if mode in ("1", "true", "yes", "on", "always"):
            return True
        if mode in ("0", "false", "no", "off", "never"):
            return False
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def refuse_unsafe(app) -> None:
    uri = app.config.get("SQLALCHEMY_DATABASE_URI", "")
    if (app.config.get("SECRET_KEY") in (None, "", config.DEFAULT_SECRET_KEY) and uri.startswith("postgresql")
            and not app.debug):
        raise UnsafeConfiguration(
            "refusing to start: SECRET_KEY is the built-in development default and the database is "
            "PostgreSQL. Set SECRET_KEY to a long random value, for example the output of "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'` (or run with debug on for development).")


def install(app) -> None:
    refuse_unsafe(app)
    lifetime = app.config.get("PERMANENT_SESSION_LIFETIME")
    if isinstance(lifetime, int | float):
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=lifetime)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.session_interface = _SessionInterface()
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    inputguard.install(app)
