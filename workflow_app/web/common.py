"""What every page shares: the login guard, error pages, flashes, template filters and globals."""

import logging
from datetime import datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import clock
from ..auth import session as web_session
from ..errors import DomainError
from ..org import access
from . import bp, i18n
from .i18n import N_
from .messages import localise

log = logging.getLogger(__name__)


def login_required(view):
    """Send visitors without a session to the login page, then back here."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = web_session.user()
        if user is None:
            target = request.full_path.rstrip("?") if request.method == "GET" else request.path
            return redirect(url_for("web.login", next=target))
        g.user = user
        return view(*args, **kwargs)

    return wrapped


def user():
    return g.user


def flash_ok(message: str) -> None:
    flash(message, "ok")


def flash_error(error: DomainError) -> None:
    flash(localise(error.message), "error")
    for field, messages in (error.errors or {}).items() if isinstance(error.errors, dict) else ():
        for message in messages:
            flash(f"{field}: {localise(message)}", "error")


def back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values))


# --- error pages -------------------------------------------------------------------------------

_TITLES = {400: N_("请求有误"), 401: N_("请先登录"), 403: N_("无权访问"), 404: N_("未找到"), 409: N_("操作已不适用"),
           413: N_("文件过大"), 422: N_("填写有误"), 429: N_("尝试过于频繁"), 503: N_("系统繁忙")}


def error_page(status: int, message: str | None = None):
    title = _(_TITLES.get(status, "出错了"))
    return render_template("error.html", status=status, title=title,
                           message=localise(message) if message else None), status


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return error_page(error.status, error.message)


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    return error_page(400, _("页面已过期或缺少安全令牌，请返回刷新后重试。"))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return error_page(error.code or 500, None)


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_page(500, _("系统出现意外错误，已记录，请稍后再试。"))


# --- template helpers --------------------------------------------------------------------------

def local_time(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time shown in the business time zone."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return clock.as_utc(value).astimezone(ZoneInfo(i18n.config_timezone())).strftime(pattern)


def due_hint(due_at: datetime | None) -> str:
    """'2小时后到期' / '已超时3小时' style text for a due time."""
    if due_at is None:
        return ""
    seconds = (clock.as_utc(due_at) - clock.now()).total_seconds()
    hours = abs(seconds) / 3600
    amount = _("%(n)d分钟", n=round(hours * 60)) if hours < 1 else (
        _("%(n).1f小时", n=hours) if hours < 48 else _("%(n)d天", n=round(hours / 24)))
    return _("%(amount)s后到期", amount=amount) if seconds >= 0 else _("已超时%(amount)s", amount=amount)


SLA_LABELS = {"green": N_("正常"), "yellow": N_("预警"), "red": N_("超时"), "paused": N_("挂账中"), None: N_("无时限")}


def sla_label(state: str | None) -> str:
    return _(SLA_LABELS.get(state, state or "无时限"))


def unit_name(unit) -> str:
    if unit is None:
        return ""
    return i18n.pick(unit.name_zh, getattr(unit, "name_en", None))


def nav_items(current) -> list[tuple[str, str]]:
    if current is None:
        return []
    items = [("web.inbox", _("待办")), ("web.report_list", _("上报"))]
    items.append(("web.admission_items", _("事项清单")))
    if any(not access.is_public(a.role_code) for a in current.assignments):
        items.append(("web.service_day", _("服务日")))
    if access.capable(current, access.OVERSEE):
        items.append(("web.supervision", _("督查")))
    if any(not access.is_public(a.role_code) for a in current.assignments):
        items.append(("web.indicators", _("考核评价")))
    if access.capable(current, access.DESIGN):
        items.append(("web.designer", _("流程设计")))
    items.append(("web.notifications", _("通知")))
    if access.capable(current, access.ADMINISTER):
        items.append(("web.operations", _("运维")))
    return items


def _globals():
    current = web_session.user()
    return {"current_user": current, "nav_items": nav_items(current)}


def _lang_url(target: str) -> str:
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, lang=target) if request.endpoint \
        else f"?lang={target}"


def init_app(app) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals.update(lang_url=_lang_url, sla_label=sla_label, unit_name=unit_name, due_hint=due_hint,
                                 localise=localise)
    app.context_processor(_globals)
