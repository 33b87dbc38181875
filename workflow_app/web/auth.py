"""Login, logout and the notifications list."""

from flask import redirect, render_template, request, session, url_for

from ..auth import login as login_service
from ..auth import session as web_session
from ..errors import DomainError
from ..extensions import db
from ..sla import notify
from . import bp
from .common import login_required, user
from .messages import localise


def _safe_target(target: str | None) -> str:
    target = target or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.inbox")


@bp.get("/")
def home():
    return redirect(url_for("web.inbox"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            found = login_service.check_password(request.form.get("username", ""),
                                                 request.form.get("password", ""), request.remote_addr)
            lang = session.get("lang")
            web_session.log_in(found)  # a fresh session (no fixation), keeping the language
            if lang:
                session["lang"] = lang
            db.session.commit()
            return redirect(_safe_target(request.args.get("next")))
        except DomainError as failure:
            error = localise(failure.message)
            status = failure.status
    return render_template("login.html", error=error,
                           username=request.form.get("username", "")), (status if error else 200)


@bp.post("/logout")
def logout():
    web_session.log_out()
    return redirect(url_for("web.login"))


@bp.get("/notifications")
@login_required
def notifications():
    return render_template("notifications.html", items=notify.unread(user()))


@bp.post("/notifications/<int:note_id>/read")
@login_required
def notification_read(note_id: int):
    note = notify.mark_read(user(), note_id)
    if note is not None and note.human_task_id and request.form.get("open"):
        return redirect(url_for("web.task", task_id=note.human_task_id))
    return redirect(url_for("web.notifications"))
