"""Login, logout and the notifications list."""

from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for

from ..auth import login as login_service
from ..auth import session as web_session
from ..errors import DomainError
from ..inbox import notices
from ..sla import notify
from . import bp, i18n, pages
from .common import login_required, user
from .messages import localise


def safe_target(target: str | None, fallback: str = "web.inbox") -> str:
    """Where to go after logging in: a path on this site, else the inbox.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    ``/%09/evil.example`` (or ``/\\evil.example``) is ``//evil.example``: another site. Only a
    path that starts with one '/', with no scheme, host, control character or backslash, is kept."""
    target = target or ""
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)):
        return url_for(fallback)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return url_for(fallback)
    return target


@bp.get("/")
def home():
    return redirect(url_for(pages.landing(web_session.user())))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = status = None
    if request.method == "POST":
        try:
            found = login_service.check_password(request.form.get("username", ""),
                                                 request.form.get("password", ""), request.remote_addr)
            lang = session.get("lang")
            web_session.log_in(found)  # a fresh session (no fixation), keeping the language
            if lang:
                session["lang"] = lang
            return redirect(safe_target(request.args.get("next"), pages.landing(found)))
        except DomainError as failure:
            error = localise(failure.message)
            status = failure.status
    response = render_template("login.html", error=error, username=request.form.get("username", ""))
    return response, (status if error else 200)


@bp.post("/logout")
def logout():
    web_session.log_out()
    return redirect(url_for("web.login"))


@bp.get("/notifications")
@login_required
def notifications():
    """Unread notifications, each in the reader's language (stored once, rendered here)."""
    return render_template("notifications.html", items=notices.shown_all(notify.unread(user()), i18n.lang()))


@bp.post("/notifications/read")
@login_required
def notifications_all_read():
    notify.mark_all_read(user())
    return redirect(url_for("web.notifications"))


@bp.post("/notifications/<int:note_id>/read")
@login_required
def notification_read(note_id: int):
    note = notify.mark_read(user(), note_id)
    if note is not None and note.human_task_id and request.form.get("open"):
        return redirect(url_for("web.task", task_id=note.human_task_id))
    return redirect(url_for("web.notifications"))
