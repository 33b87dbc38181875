"""What every page shares: the login guard, error pages, flashes, template filters and globals."""

import logging
from datetime import datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import clock
from ..auth import session as web_session
from ..errors import DomainError
from ..inbox import notices
from . import bp, formrender, i18n, pages, stages
from .i18n import N_
from .messages import localise, plain_problem
from .refusals import refusal
from .structured import household_label

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


GENERIC = ("the form has errors", "the attachment was refused", "the request has invalid fields")


def flash_error(error: DomainError) -> None:
    """The error in the page's language; its per-field details only when the message alone says
    nothing more than "the form has errors" (no raw field keys, no twin of the message)."""
    flash(refusal(error.message) if error.status == 403 else localise(error.message), "error")
    if error.message not in GENERIC:
        return
    shown = {localise(error.message)}
    for messages in (error.errors or {}).values() if isinstance(error.errors, dict) else ():
        for message in messages if isinstance(messages, list) else [messages]:
            text = localise(str(message))
            if text not in shown:
                shown.add(text)
                flash(text, "error")


def back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values))


# --- error pages -------------------------------------------------------------------------------

_TITLES = {400: N_("请求有误"), 401: N_("请先登录"), 403: N_("无权访问"), 404: N_("未找到"), 405: N_("不支持此操作"),
           409: N_("操作已不适用"),
           413: N_("文件过大"), 422: N_("填写有误"), 429: N_("尝试过于频繁"), 503: N_("系统繁忙")}


def error_page(status: int, message: str | None = None, shown: str | None = None):
    """The error page; ``shown``: a sentence already in the page's language, else ``message`` localised."""
    title = _(_TITLES.get(status, "出错了"))
    return render_template("error.html", status=status, title=title,
                           message=shown or (localise(message) if message else None)), status


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    if error.status == 403:  # the service's words name people and codes: the refused read a sentence
        return error_page(403, shown=refusal(error.message))
    return error_page(error.status, error.message)


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    return error_page(400, _("页面已过期或缺少安全令牌，请返回刷新后重试。"))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return error_page(error.code or 500, None)


def _page_not_found(error):
    """Unknown URLs (and methods) outside the API get a page, not the API's JSON (the API keeps its
    envelope)."""
    if request.path.startswith("/api/"):
        generic = current_app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)
        if generic is not None:
            return generic(error)
    return error_page(getattr(error, "code", None) or 404, None)


def notification_title(note) -> str:
    """A notification's title in the page's language (the reporter's milestones carry both)."""
    name = (note.kind or "").removeprefix("case_")
    if note.kind and note.kind.startswith("case_") and name in notices.MILESTONES:
        zh, en = notices.MILESTONES[name]
        text = i18n.pick(zh, en)
        return f"{text} (#{note.instance_id})" if i18n.lang() == "en" and note.instance_id else (
            f"{text}（#{note.instance_id}）" if note.instance_id else text)
    return note.title


def filesize(size: int | None) -> str:
    """A file size people read: 465 B, 12.3 KB, 4.1 MB (never "0 KB" for a small file)."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1048576:.1f} MB"


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


def indicator_label(indicator: str | None) -> str:
    """An indicator by its name: in English the definitions' ``name_en`` (the county's definitions
    in force; read once a page), else its Chinese name, which is its id."""
    if not indicator or i18n.lang() != "en":
        return indicator or "—"
    names = g.get("indicator_names_en")
    if names is None:
        from ..indicators import versions
        from ..org import tree

        names = {}
        try:
            root = tree.root_unit()
            document = versions.resolve(root, clock.now()).document if root is not None else {}
            names = {i["id"]: i.get("name_en") for i in document.get("indicators") or [] if isinstance(i, dict)}
        except DomainError:
            names = {}
        g.indicator_names_en = names
    return names.get(indicator) or indicator


def step_name(task) -> str:
    """A task's step as the model names it: its BPMN name, or in English the node's ``name_en``
    extension property when the model gives one."""
    if task is None:
        return ""
    return i18n.pick(task.name, (getattr(task, "properties", None) or {}).get("name_en"))


def nav_items(current) -> list[tuple[str, str]]:
    return pages.nav_items(current)


# Phone forms a model may name for a task (task property ``quick_form``): name -> endpoint taking
# ``task_id``. Each mechanism's pages register theirs (service day: the visit; evaluation: the
# rating and the callback); the generic task page offers the one its task names.
QUICK_FORMS: dict[str, str] = {}


def register_quick_form(name: str, endpoint: str) -> None:
    QUICK_FORMS[name] = endpoint


def quick_page(task) -> str | None:
    """The phone form ``task``'s model names, while the task is open; None without one."""
    wanted = (task.properties or {}).get("quick_form") if task is not None and task.is_open else None
    return url_for(QUICK_FORMS[wanted], task_id=task.id) if wanted in QUICK_FORMS else None


def _globals():
    current = web_session.user()
    return {"current_user": current, "nav_items": nav_items(current), "home_endpoint": pages.landing(current),
            "unread_count": notices.unread_count(current) if current is not None else 0}


DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "© OpenStreetMap contributors"


def map_tiles() -> str:
    """The map's tile URL (MAP_TILE_URL; a public default, none when testing: plain coordinates)."""
    configured = current_app.config.get("MAP_TILE_URL")
    if configured is None:
        return "" if current_app.testing else DEFAULT_TILES
    return configured


def map_attribution() -> str:
    return current_app.config.get("MAP_TILE_ATTRIBUTION", DEFAULT_ATTRIBUTION)


def _lang_url(target: str) -> str:
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, lang=target) if request.endpoint \
        else f"?lang={target}"


def init_app(app) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["filesize"] = filesize
    app.register_error_handler(404, _page_not_found)
    app.register_error_handler(405, _page_not_found)
    app.jinja_env.globals.update(lang_url=_lang_url, sla_label=sla_label, unit_name=unit_name, due_hint=due_hint,
                                 household_label=household_label, step_name=step_name,
                                 indicator_label=indicator_label,
                                 localise=localise, plain_problem=plain_problem, map_tiles=map_tiles,
                                 map_attribution=map_attribution, unit_label=formrender.unit_label,
                                 notification_title=notification_title, quick_page=quick_page)
    app.jinja_env.globals.update(stage_label=stages.stage_label, task_stage=stages.task_stage,
                                 step_label=stages.step_label, process_label=stages.process_label)
    app.context_processor(_globals)
