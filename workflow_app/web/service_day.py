"""网格服务日 pages: the schedule and rule, my visits, the visit form at the door (with the phone's
camera), a grid's pairings with the cap warning, a service-day case's plan and visit list, and the
coverage report with its chart and CSV."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, InvalidInput
from ..service_day import coverage, doorstep, overview, pairing, records, rules, settings, visits
from . import bp, charts, formrender
from .common import flash_error, flash_ok, household_label, login_required, register_quick_form, user
from .i18n import pick

OUTCOME_COLOURS = (("met", "已见面"), ("not_home", "不在家"), ("refused", "拒绝走访"), ("open", "未走访"))


@bp.get("/service-day")
@login_required
def service_day():
    year = request.args.get("year", type=int)
    year = year if year and 2000 <= year <= 2100 else None
    page = overview.overview(user(), (request.args.get("org_unit") or "").strip() or None, year)
    return render_template("service_day.html", page=page, weekdays=list(zip(rules.WEEKDAYS, rules.WEEKDAY_NAMES,
                                                                            rules.WEEKDAY_NAMES_EN, strict=True)))


def _rule_from(form) -> dict | None:
    kind = form.get("kind")
    if kind == "day":
        return {"day": form.get("day", type=int)}
    if kind == "weekday":
        return {"weekday": form.get("weekday", ""), "nth": form.get("nth", type=int)}
    return None


def _number(form, name):
    text = (form.get(name) or "").strip()
    return int(text) if text.lstrip("-").isdigit() else (text or None)


@bp.post("/service-day/settings")
@login_required
def service_day_settings():
    form = request.form
    locality = form.get("locality", "")
    body = {"rule": _rule_from(form), **{k: _number(form, k) for k in ("lead_days", "deadline_days", "pairing_cap")
                                        if (form.get(k) or "").strip()}}
    try:
        settings.save(locality, body, user())
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(_("服务日规则已保存"))
    return redirect(url_for("web.service_day", org_unit=locality))


@bp.post("/service-day/themes")
@login_required
def service_day_theme():
    form = request.form
    locality, month = form.get("locality", ""), (form.get("month") or "").strip()
    projects = [line.strip() for line in (form.get("projects") or "").replace("、", "\n").splitlines() if line.strip()]
    try:
        settings.save_theme(locality, month, form.get("theme", ""), projects, user())
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(_("服务主题已保存：%(month)s", month=month))
    return redirect(url_for("web.service_day", org_unit=locality, year=month[:4] if month[:4].isdigit() else None))


def _where(person) -> str:
    """Where a person works (their first staff unit), to tell two people of one name apart."""
    from ..org import access

    for a in person.assignments:
        if not access.is_public(a.role_code):
            return pick(a.org_unit.name_zh, a.org_unit.name_en)
    return ""


def _visited(task):
    """The household of a visit task as the person may see it (None when they see none of it)."""
    from ..org import households

    found = doorstep._household_of(task)
    return households.view(user(), found) if found is not None else None


@bp.get("/service-day/visits")
@login_required
def service_day_visits():
    lines = visits.my_visit_list(user())
    return render_template("service_day_visits.html", lines=lines,
                           shown={line.task.id: _visited(line.task) for line in lines})


def _visit_page(task_id: int, typed=None, errors: dict | None = None, status: int = 200):
    page = doorstep.page(task_id, user())
    view = page.view
    fields, general = (formrender.fields(view.form["schema"], view.form["values"], typed, errors,
                                         page.context.choices, view.form.get("display_from"))
                       if view.form else ([], []))
    by_name = {f.name: f for f in fields}
    return render_template("service_day_visit.html", page=page, view=view, fields=by_name, form_errors=general,
                           typed=typed), status


@bp.get("/service-day/visits/<int:task_id>")
@login_required
def service_day_visit(task_id: int):
    return _visit_page(task_id)


@bp.post("/service-day/visits/<int:task_id>")
@login_required
def service_day_visit_record(task_id: int):
    page = doorstep.page(task_id, user())
    data = formrender.parse(page.view.form["schema"], request.form) if page.view.form else {}
    upload = request.files.get("photo")
    stream = upload.stream if upload and upload.filename else None
    try:
        doorstep.record(task_id, user(), data, stream, upload.filename if stream else None)
    except InvalidInput as error:
        return _visit_page(task_id, request.form, error.errors if isinstance(error.errors, dict) else
                           {"_form": [error.message]}, 422)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.service_day_visit", task_id=task_id))
    flash_ok(_("走访已登记"))
    return redirect(url_for("web.service_day_visits"))


@bp.get("/service-day/pairings")
@login_required
def service_day_pairings():
    code = (request.args.get("org_unit") or "").strip()
    if not code:
        grids = overview.overview(user()).grids
        if not grids:
            return render_template("service_day_pairings.html", page=None, candidates=[])
        code = grids[0].code
    page = pairing.unit_pairings(user(), code)
    candidates = pairing.candidates(page.unit)
    return render_template("service_day_pairings.html", page=page, candidates=candidates,
                           person_units={p.id: _where(p) for p in candidates})


@bp.post("/service-day/pairings")
@login_required
def service_day_pair():
    form = request.form
    household, username, code = form.get("household", ""), (form.get("username") or "").strip(), form.get("org_unit")
    try:
        result = pairing.pair(user(), household, username) if username else pairing.unpair(user(), household)
    except DomainError as error:
        flash_error(error)
    else:
        for warning in result.warnings:
            flash(pick(warning["message"], warning["message_en"]), "error")
        label = household_label(_pair_household(household)) if household.isdigit() else result.code
        flash_ok(_("已结对：%(code)s", code=label) if username else _("已解除结对：%(code)s", code=label))
    return redirect(url_for("web.service_day_pairings", org_unit=code))


def _pair_household(ident: str):
    from ..extensions import db
    from ..models import Household
    from ..org import households

    found = db.session.get(Household, int(ident))
    return households.view(user(), found) if found is not None else None


def _chart(result: dict):
    labels = [line["name"] for line in result["rows"]]
    series = [(_(label), [line[key] for line in result["rows"]]) for key, label in OUTCOME_COLOURS]
    return {"bars": charts.stacked_bars(labels, series, _("应走访户的走访结果")),
            "legend": [(_(label), charts.colour(i)) for i, (_key, label) in enumerate(OUTCOME_COLOURS)]}


@bp.get("/service-day/coverage")
@login_required
def service_day_coverage():
    result = coverage.report(user(), (request.args.get("org_unit") or "").strip() or None,
                             (request.args.get("month") or "").strip() or None)
    if request.args.get("format") == "csv":
        name = f"coverage-{result['org_unit']}-{result['month']}.csv"
        return Response(coverage.as_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render_template("service_day_coverage.html", result=result, chart=_chart(result))


@bp.get("/service-day/days/<int:instance_id>")
@login_required
def service_day_case(instance_id: int):
    return render_template("service_day_case.html", day=visits.day(user(), instance_id),
                           outcomes=records.OUTCOME_NAMES)


@bp.get("/service-day/households/<int:household_id>")
@login_required
def service_day_household(household_id: int):
    return render_template("service_day_household.html", history=visits.history(user(), str(household_id)))


register_quick_form("service_day_visit", "web.service_day_visit")  # task property quick_form
