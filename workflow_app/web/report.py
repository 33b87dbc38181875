"""上报: start a case — a grid worker reporting an event, a resident asking for help — from the
processes the person may start, in a unit where they may start it; 我上报的, the cases one started.

A report is sent once: the form carries an idempotency key made when the page is drawn, so a
double tap, a retry after a lost answer, or the phone's offline outbox (``static/outbox.js``,
kept in IndexedDB, sent by the page or the service worker when the connection returns) never
starts a second case. Photos (the camera, ``capture``) travel in the same multipart post."""

import uuid

from flask import Response, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from ..auth import session as web_session
from ..cases import starting
from ..catalogue import conditions
from ..errors import DomainError, InvalidInput
from ..inbox import files, reporting
from . import bp, case_status, formrender, i18n
from .common import flash_ok, login_required, user
from .messages import localise


@bp.get("/report")
@login_required
def report_list():
    return render_template("report_list.html", options=starting.options(user()))


CLASSES = (i18n.N_("部件"), i18n.N_("事件"))  # the catalogue's two classes, by their words in each language


def catalogue_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Filing conditions grouped by class and category: (group label, [(code, label, search text)])."""
    groups: dict[str, list] = {}
    english = i18n.lang() == "en"
    for c in conditions.conditions():
        category = conditions.in_english(c, "category") if english else c.category
        label = f"{_(c.kind)} · {category}"
        text = conditions.label(c, english)
        search = " ".join(dict.fromkeys((c.code, c.category, category, conditions.label(c), text)))
        groups.setdefault(label, []).append((c.code, text, search))  # either language's words find it
    return list(groups.items())


def _render(option, typed=None, errors=None, unit=None, status=200):
    fields, general = formrender.fields(option.form or {"properties": {}}, {}, typed, errors, option.choices)
    key = (typed.get("idempotency_key") if typed is not None else None) or uuid.uuid4().hex
    return render_template("report.html", option=option, fields=fields, form_errors=general, idempotency_key=key,
                           replaces=" ".join(_replaced(typed)), catalogue=catalogue_groups(), chosen_unit=unit or (
                               option.units[0].code if option.units else "")), status


@bp.get("/report/<key>")
@login_required
def report_form(key):
    return _render(starting.option(user(), key))


def _uploads(document: dict) -> dict[str, list[files.Upload]]:
    """Photos sent with the report, per photos field (``<field>__files``), checked by their bytes."""
    found = {}
    for name, spec in formrender.ordered(document):
        if formrender.widget_of(spec) != "photos":
            continue
        chosen = [f for f in request.files.getlist(f"{name}__files") if f and f.filename]
        if chosen:
            found[name] = [files.accept(f.stream, f.filename, field=name) for f in chosen]
    return found


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _replaced(form) -> list[str]:
    """The outbox keys of refused reports this one corrects (重新编辑), as the form names them."""
    return [k for k in ((form or {}).get("replaces") or "").split() if reporting.KEY.fullmatch(k)][:20]


def _answered(response):
    """Tell the page that the server answered this report (its outbox copy can go): a cookie the
    next page's script reads once; and, once it started the case, which refused reports it
    corrected (their outbox entries go too). Not for the outbox's own sends (JSON): a cookie set by
    the answer to a refused one made the next page drop it, so it could not be edited again."""
    response = make_response(response)
    if _wants_json():  # the outbox sending: it keeps or drops its own entries (a refused one stays)
        return response
    sent = request.form.get("idempotency_key") or ""
    if reporting.KEY.fullmatch(sent):  # the keys the service takes, nothing else echoed
        response.set_cookie("wf_answered", sent, max_age=600, samesite="Lax", secure=request.is_secure)
    replaced = _replaced(request.form)
    if replaced and response.status_code < 400:
        response.set_cookie("wf_replaced", "~".join(replaced), max_age=600, samesite="Lax", secure=request.is_secure)
    return response


def _shown(errors) -> dict:
    """Field errors as the person reads them (the outbox keeps them to show on 重新编辑)."""
    if not isinstance(errors, dict):
        return {}
    return {name: [localise(str(m)) for m in (messages if isinstance(messages, list) else [messages])]
            for name, messages in errors.items()}


@bp.post("/report/<key>")
@login_required
def report_submit(key):
    return _answered(_submit(key))


def _submit(key):
    option = starting.option(user(), key)
    unit = request.form.get("org_unit", "")
    document = option.form or {"properties": {}}
    data = formrender.parse(document, request.form)
    try:
        started = reporting.start_once(key, unit, data, user(), key=request.form.get("idempotency_key") or None,
                                       uploads=_uploads(document))
    except InvalidInput as error:
        if _wants_json():
            return jsonify(message=error.message, errors=error.errors, shown_message=localise(error.message),
                           shown=_shown(error.errors)), 422
        return _render(option, request.form, error.errors if isinstance(error.errors, dict) else None, unit, 422)
    except DomainError as error:
        if _wants_json():
            return jsonify(message=error.message, errors={"org_unit": [error.message]},
                           shown_message=localise(error.message), shown={"org_unit": [localise(error.message)]}
                           ), error.status
        return _render(option, request.form, {"org_unit": [error.message]}, unit, 422)
    instance = started.instance
    target = url_for("web.case", instance_id=instance.id)
    if _wants_json():
        return jsonify(id=instance.id, url=target, replayed=started.replayed), 200 if started.replayed else 201
    flash_ok(_("已上报，案件编号 #%(id)s", id=instance.id))
    return redirect(target)


@bp.get("/report/<key>/similar")
@login_required
def report_similar(key):
    """The duplicate hint for what is being typed (htmx fragment)."""
    starting.option(user(), key)
    args = request.args
    place = formrender.location(args, "location")
    found = reporting.similar_reports(user(), args.get("condition_code", ""), args.get("org_unit", ""),
                                      (args.get("address") or "").strip() or None, place, english=i18n.lang() == "en")
    return render_template("_similar.html", similar=found)


@bp.get("/report/token")
def report_token():
    """A fresh CSRF token for the outbox, which may send hours after the page was drawn, and who is
    logged in now (a report waits for its own author: a shared phone never files it as another).
    Logged out, it answers 401 and leaves the session alone: a redirect to the login page would give
    the phone a new session (and CSRF token) behind the back of a login form being filled in."""
    person = web_session.user()
    if person is None:
        return jsonify(error="login"), 401, {"Cache-Control": "no-store"}
    return jsonify(csrf_token=generate_csrf(), author=str(person.id)), 200, {"Cache-Control": "no-store"}


@bp.get("/sw.js")
def service_worker():
    """The service worker (scope /): keeps the report pages for use offline and sends the outbox."""
    folder = current_app.blueprints["web"].static_folder
    with open(f"{folder}/sw.js", encoding="utf-8") as stream:
        body = stream.read()
    return Response(body, mimetype="application/javascript",
                    headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"})


@bp.get("/reports/mine")
@login_required
def my_reports():
    """我上报的: every case the person started, with where it stands."""
    cases = reporting.mine(user())
    stages = case_status.stages(cases, reporting.milestones([c.id for c in cases]))
    return render_template("my_reports.html", cases=cases, stages=stages, labels=case_status.STAGES)
