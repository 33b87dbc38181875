"""Server-rendered pages (zh-CN first, English through Flask-Babel).

Sessions carry a CSRF token that every unsafe request must send back; the API stays token-only.
Views live in one module per page: ``auth`` (login, logout, language), ``inbox``, ``tasks``,
``cases``, ``supervision``, ``designer``; ``vendor`` serves the npm libraries the pages use.
"""

from flask import Blueprint, request
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web-static")
csrf = CSRFProtect()


@bp.before_request
def _csrf():
    """Pages use a session cookie, so every unsafe request must carry the CSRF token (the API,
    which takes Bearer tokens only, is not affected)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def init_app(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    from . import (  # noqa: F401 - importing registers the routes on ``bp``
        admission,
        auth,
        cases,
        common,
        designer,
        evaluation,
        i18n,
        inbox,
        indicators,
        operations,
        report,
        service_day,
        supervision,
        tasks,
        vendor,
    )

    i18n.init_app(app)
    common.init_app(app)
    vendor.init_app(app)
    app.register_blueprint(bp)
