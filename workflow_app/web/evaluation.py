"""第三方评估、反向考核 pages: the workspace (rounds with their progress, opening a round, the
reverse-evaluation scores of departments and handlers), a round's report (page, PDF, XLSX), the
phone forms for a rating and a callback, the honours roll, and each person's points."""

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..cases import service
from ..cases import views as case_views
from ..errors import DomainError, InvalidInput
from ..evaluation import departments, honours, honours_page, points, queue, rating, rounds
from ..indicators import periods
from ..org import tree
from . import bp, structured
from .common import flash_error, flash_ok, login_required, register_quick_form, user
from .messages import localise

QUICK = {"evaluation_rate": "web.evaluation_rate", "evaluation_callback": "web.evaluation_callback",
         "evaluation_honours": "web.evaluation_honours_task"}


def _text(name: str, size: int = 64) -> str | None:
    return (request.args.get(name) or "").strip()[:size] or None


percent = structured.percent  # a rate (a fraction 0–1) as a percentage
FIGURES = {"figure": structured.figure_text, "figure_name": structured.figure_label}


def number(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


@bp.get("/evaluation")
@login_required
def evaluation():
    person, period, org_unit = user(), _text("period", 24), _text("org_unit", 128)
    scores, problem = None, None
    try:
        scores = departments.scores(person, org_unit, period)
    except InvalidInput as error:  # a period or unit typed wrong: say what is wrong with it
        problem = localise(error.message)
    except DomainError:  # not someone who sees the figures: the rest of the page still helps
        problem = _("没有可查看的考核数据。")
    return render_template("evaluation.html", scores=scores, problem=problem, rounds=rounds.listing(person),
                           may_open=bool(rounds.home_scope(person)), scopes=rounds.scope_choices(person),
                           percent=percent, number=number)


@bp.post("/evaluation/rounds")
@login_required
def evaluation_open_round():
    form = request.form
    try:
        share = float(form.get("share") or 10) / 100  # typed as a percentage, kept as a fraction
        minimum = int(form.get("minimum") or 3)
    except ValueError:
        flash_error(InvalidInput("the sample rule is not a number", {"share": ["a number"]}))
        return redirect(url_for("web.evaluation"))
    if not 0 < share <= 1:
        flash_error(InvalidInput("the share sampled is a percentage above 0, at most 100",
                                 {"share": ["a percentage above 0, at most 100"]}))
        return redirect(url_for("web.evaluation"))
    try:
        created = rounds.create(user(), form.get("scope", ""), form.get("period", ""), share, minimum,
                                (form.get("seed") or "").strip() or None)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.evaluation"))
    flash_ok(_("评估轮次已开启：抽样 %(n)d 件", n=created.sample_size))
    return redirect(url_for("web.evaluation_round", round_id=created.id))


@bp.get("/evaluation/rounds/<int:round_id>")
@login_required
def evaluation_round(round_id: int):
    detail = rounds.detail(user(), round_id)
    return render_template("evaluation_round.html", d=detail, queue=queue.callbacks(user(), round_id),
                           steps=queue.steps(user(), round_id), percent=percent, number=number)


@bp.get("/evaluation/rounds/<int:round_id>/report.<kind>")
@login_required
def evaluation_round_file(round_id: int, kind: str):
    if kind not in ("pdf", "xlsx"):
        return redirect(url_for("web.evaluation_round", round_id=round_id))
    content, mimetype, name = rounds.report_file(user(), round_id, kind)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/evaluation/mismatches")
@login_required
def evaluation_mismatches():
    found = rounds.mismatches(user(), _text("org_unit", 128))
    return render_template("evaluation_round.html", d=None, mismatches=found, percent=percent, number=number)


# --- the phone forms --------------------------------------------------------------------------

def _rating_keys(view) -> tuple[str, str]:
    properties = (view.form or {}).get("schema", {}).get("properties", {})
    return ("department_ratings", "department_subjects") if "department_ratings" in properties \
        else ("ratings", "subjects")


def _rating_page(task_id: int, errors=None, typed=None, status: int = 200):
    view = case_views.task_detail(task_id, user())
    _ratings, subjects_key = _rating_keys(view)
    values = (view.form or {}).get("values", {})
    return render_template("evaluation_rate.html", view=view, values=values, subjects=values.get(subjects_key) or [],
                           steps=rating.STEPS, errors=errors or {}, typed=typed or {}), status


def _errors_shown(error: InvalidInput, place, fallback: str) -> dict:
    """A form's errors by what its user sees, never by data key: ``place(key)`` gives the words for
    where the error is ("" for ``fallback``) and, optionally, the message to show instead."""
    shown: dict = {}
    for key, messages in (error.errors or {"_form": [error.message]}).items():
        where, instead = place(str(key))
        texts = instead or [localise(str(m)) for m in (messages if isinstance(messages, list) else [messages])]
        shown.setdefault(where or fallback, []).extend(texts)
    return shown


def _rating_errors(error: InvalidInput, ratings_key: str, subjects: list) -> dict:
    """``ratings.1.handle`` "'' is not of type 'integer'" -> 住建局 · 处置: 请选择 1–5 分."""
    labels = dict(rating.STEPS)

    def place(key: str):
        parts = key.split(".")
        if len(parts) < 2 or parts[0] != ratings_key or not parts[1].isdigit() or int(parts[1]) >= len(subjects):
            return "", None
        where = subjects[int(parts[1])].get("name") or ""
        if len(parts) >= 3 and parts[2] in labels:
            return where + " · " + _(labels[parts[2]]), [_("请选择 1–5 分")]
        return where, None

    return _errors_shown(error, place, _("评价"))


@bp.get("/evaluation/rate/<int:task_id>")
@login_required
def evaluation_rate(task_id: int):
    return _rating_page(task_id)


@bp.post("/evaluation/rate/<int:task_id>")
@login_required
def evaluation_rate_submit(task_id: int):
    view = case_views.task_detail(task_id, user())
    ratings_key, subjects_key = _rating_keys(view)
    subjects = (view.form or {}).get("values", {}).get(subjects_key) or []
    form, given = request.form, []
    for subject in subjects:
        code = subject.get("code")
        entry = {"subject": code}
        for field, _label in rating.STEPS:
            value = form.get(f"{code}-{field}", "")
            entry[field] = int(value) if value.isdigit() else value
        if (form.get(f"{code}-comment") or "").strip():
            entry["comment"] = form.get(f"{code}-comment").strip()[:500]
        given.append(entry)
    try:
        service.complete(task_id, {ratings_key: given}, user())
    except InvalidInput as error:
        return _rating_page(task_id, _rating_errors(error, ratings_key, subjects), form, 422)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.task", task_id=task_id))
    flash_ok(_("评价已提交"))
    return redirect(url_for("web.inbox"))


CALLBACK_FIELDS = ("reached", "solved", "satisfaction", "attitude", "callback_comment")


def _callback_page(task_id: int, errors=None, status: int = 200, typed=None):
    """The phone callback form; after a refusal, with what was chosen and typed still in it."""
    view = case_views.task_detail(task_id, user())
    values = (view.form or {}).get("values", {})
    return render_template("evaluation_callback.html", view=view, call=values.get("call") or {},
                           errors=errors or {}, typed=typed or {}), status


@bp.get("/evaluation/callback/<int:task_id>")
@login_required
def evaluation_callback(task_id: int):
    return _callback_page(task_id)


@bp.post("/evaluation/callback/<int:task_id>")
@login_required
def evaluation_callback_submit(task_id: int):
    form = request.form
    call = (case_views.task_detail(task_id, user()).form or {}).get("values", {}).get("call")
    data = {}  # nothing chosen sends nothing: the form's schema says 'reached' is required
    if form.get("reached") in ("yes", "no"):
        data["reached"] = form.get("reached") == "yes"
    if data.get("reached"):
        if form.get("solved") in ("yes", "no"):
            data["solved"] = form.get("solved") == "yes"
        for key in ("satisfaction", "attitude"):
            if form.get(key):
                data[key] = form.get(key)
    if (form.get("callback_comment") or "").strip():
        data["callback_comment"] = form.get("callback_comment").strip()[:2000]
    try:
        service.complete(task_id, data, user())
    except InvalidInput as error:
        labels = {"reached": _("是否接通"), "solved": _("问题是否真正解决"), "satisfaction": _("满意度"),
                  "attitude": _("工作人员态度"), "callback_comment": _("回访意见")}
        shown = _errors_shown(error, lambda key: (labels.get(key, ""), None), _("回访"))
        typed = {key: form.get(key, "") for key in CALLBACK_FIELDS if form.get(key)}
        return _callback_page(task_id, shown, 422, typed)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.task", task_id=task_id))
    flash_ok(_("回访已登记"))
    round_id = (call or {}).get("round_id")
    if isinstance(round_id, int) and not isinstance(round_id, bool):
        return redirect(url_for("web.evaluation_round", round_id=round_id))  # back to the round's queue
    return redirect(url_for("web.inbox"))


def _honours_keys(view) -> tuple[str, str, str]:
    """(the list shown, the withheld key, the reason key): a town's review or the county's approval."""
    properties = (view.form or {}).get("schema", {}).get("properties", {})
    if "town_withheld" in properties:
        return "review", "town_withheld", "town_withheld_reason"
    return "nominated", "withheld", "withheld_reason"


def _honours_page(task_id: int, errors=None, typed=None, status: int = 200):
    view = case_views.task_detail(task_id, user())
    values = (view.form or {}).get("values", {})
    shown, _withheld, _reason = _honours_keys(view)
    listed = values.get(shown) or []
    if shown == "review":
        listed = listed.get("candidates") or [] if isinstance(listed, dict) else []
    return render_template("evaluation_honours_task.html", view=view, values=values, listed=listed,
                           earlier=values.get("town_withheld_all") or [], errors=errors or {}, typed=typed,
                           number=number, **FIGURES), status


@bp.get("/evaluation/honours/task/<int:task_id>")
@login_required
def evaluation_honours_task(task_id: int):
    return _honours_page(task_id)


@bp.post("/evaluation/honours/task/<int:task_id>")
@login_required
def evaluation_honours_task_submit(task_id: int):
    view = case_views.task_detail(task_id, user())
    _shown, withheld_key, reason_key = _honours_keys(view)
    form = request.form
    data = {withheld_key: [s for s in form.getlist("withhold") if s][:2000]}
    if (form.get("reason") or "").strip():
        data[reason_key] = form.get("reason").strip()[:2000]
    try:
        service.complete(task_id, data, user())
    except InvalidInput as error:
        shown = _errors_shown(error, lambda key: (_("暂缓理由") if key == reason_key else "", None), _("荣誉"))
        return _honours_page(task_id, shown, {"withhold": data[withheld_key], "reason": data.get(reason_key, "")},
                             422)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.task", task_id=task_id))
    flash_ok(_("已提交：推荐名单转下一级") if withheld_key == "town_withheld" else _("荣誉已审定，荣誉榜已公布"))
    return redirect(url_for("web.inbox"))


for _name, _endpoint in QUICK.items():  # task property quick_form
    register_quick_form(_name, _endpoint)


# --- honours and points -------------------------------------------------------------------------

@bp.get("/evaluation/honours")
@login_required
def evaluation_honours():
    person = user()
    roll = honours.roll(person, _text("org_unit", 128), _text("period", 24))
    unit, period = tree.require(roll["org_unit"]), periods.parse(roll["period"])
    nomination = honours_page.nomination(unit, period)
    closest = honours_page.closest(person, unit, period) if roll["candidates"] == [] else []
    may_nominate = bool(roll["candidates"]) and not roll["awarded"] and nomination is None \
        and honours_page.may_nominate(person, unit)
    return render_template("evaluation_honours.html", roll=roll, number=number, nomination=nomination,
                           closest=closest, may_nominate=may_nominate, **FIGURES)


@bp.post("/evaluation/honours/nominations")
@login_required
def evaluation_honours_nominate():
    form = request.form
    org_unit, period = (form.get("org_unit") or "").strip() or None, (form.get("period") or "").strip() or None
    try:
        honours.nominate(user(), org_unit, period)
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(_("荣誉评定已发起，候选交各镇街审核推荐。"))
    return redirect(url_for("web.evaluation_honours", org_unit=org_unit, period=period))


@bp.get("/evaluation/points")
@login_required
def points_page():
    ledger = points.ledger(user(), _text("username", 128))
    return render_template("evaluation_points.html", ledger=ledger)


@bp.post("/evaluation/points/redeem")
@login_required
def points_redeem():
    form = request.form
    username = (form.get("username") or "").strip() or None
    amount = form.get("points", "")
    try:
        done = points.redeem(user(), username, int(amount) if amount.isdigit() else 0, form.get("item", ""))
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(_("已兑换 %(n)d 分，余额 %(b)d 分", n=done["points"], b=done["balance"]))
    return redirect(url_for("web.points_page", username=username))
