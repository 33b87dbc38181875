"""Server-rendered pages (zh-CN first). Sessions with CSRF protection; the API stays token-only."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFProtect

from ..auth import login as login_service
from ..auth import session as web_session
from ..errors import DomainError
from ..inbox import queries

bp = Blueprint("web", __name__, template_folder="templates")


def _require_login():
    user = web_session.user()
    if user is None:
        return None, redirect(url_for("web.login", next=request.path))
    return user, None


@bp.get("/")
def home():
    return redirect(url_for("web.inbox"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            user = login_service.check_password(request.form.get("username", ""), request.form.get("password", ""),
                                                request.remote_addr)
            web_session.log_in(user)
            from ..extensions import db

            db.session.commit()
            target = request.args.get("next") or ""
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("web.inbox"))
        except DomainError as failure:
            error = failure.message
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    web_session.log_out()
    return redirect(url_for("web.login"))


@bp.get("/inbox")
def inbox():
    user, response = _require_login()
    if response:
        return response
    page = queries.inbox(user, queries.InboxQuery(page=request.args.get("page", 1, type=int)))
    return render_template("inbox.html", user=user, page=page)


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
    app.register_blueprint(bp)
