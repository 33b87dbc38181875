"""上报: start a case — a grid worker reporting an event, a resident asking for help — from the
processes the person may start, in a unit where they may start it."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..cases import service, starting
from ..errors import DomainError, InvalidInput
from . import bp, formrender
from .common import flash_ok, login_required, user


@bp.get("/report")
@login_required
def report_list():
    return render_template("report_list.html", options=starting.options(user()))


def _render(option, typed=None, errors=None, unit=None, status=200):
    fields, general = formrender.fields(option.form or {"properties": {}}, {}, typed, errors, option.choices)
    return render_template("report.html", option=option, fields=fields, form_errors=general,
                           chosen_unit=unit or (option.units[0].code if option.units else "")), status


@bp.get("/report/<key>")
@login_required
def report_form(key):
    return _render(starting.option(user(), key))


@bp.post("/report/<key>")
@login_required
def report_submit(key):
    option = starting.option(user(), key)
    unit = request.form.get("org_unit", "")
    data = formrender.parse(option.form or {"properties": {}}, request.form)
    try:
        instance = service.start(key, unit, data, user())
    except InvalidInput as error:
        return _render(option, request.form, error.errors if isinstance(error.errors, dict) else None, unit, 422)
    except DomainError as error:
        return _render(option, request.form, {"org_unit": [error.message]}, unit, 422)
    flash_ok(_("已上报，案件编号 #%(id)s", id=instance.id))
    return redirect(url_for("web.case", instance_id=instance.id))
