"""事项准入 pages: the admitted-items list of each unit with its history, an item's history, the
department's application and assignment forms and their status, blocked cases, and the burden
report (减负) with its chart. Refused starts are explained in Chinese on the form itself."""

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..admission import applications, blocked, burden, exchange, filing, lists
from ..admission.enforcement import ItemNotAdmitted
from ..errors import DomainError, InvalidInput
from . import bp, charts, formrender
from .common import flash_error, flash_ok, login_required, user
from .i18n import N_

STATUS_LABELS = {"admitted": N_("已准入"), "withdrawn": N_("已退出"), "expired": N_("已过期"), "all": N_("全部")}
CHANGE_LABELS = {"added": N_("纳入"), "changed": N_("变更"), "removed": N_("退出"), "expired": N_("到期")}
VERSION_LABELS = {"admitted": N_("准入"), "changed": N_("变更"), "imported": N_("导入"), "withdrawn": N_("退出"),
                  "expired": N_("到期")}
FORMS = {"apply": (filing.APPLY, N_("申请事项准入"), N_("提交申请")),
         "assign": (filing.ASSIGN, N_("部门交办"), N_("交办")),
         "withdraw": (filing.WITHDRAW, N_("申请事项退出"), N_("提交退出申请"))}
HIDDEN = {"department", "resources"}  # filled for the department / the flat fields stand for it


@bp.get("/admission")
@login_required
def admission_items():
    status = request.args.get("status") or None
    shown = lists.page(user(), request.args.get("org_unit") or None, status if status in STATUS_LABELS else None,
                       request.args.get("list") or None)
    return render_template("admission_items.html", page=shown, statuses=STATUS_LABELS, changes=CHANGE_LABELS)


@bp.get("/admission/export.csv")
@login_required
def admission_export():
    body, mimetype = exchange.export(user(), "csv", request.args.get("org_unit") or None, "all")
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": 'attachment; filename="admitted_items.csv"'})


@bp.get("/admission/items/<code>")
@login_required
def admission_item(code):
    return render_template("admission_item.html", item=lists.item(user(), code[:64]), changes=CHANGE_LABELS,
                           kinds=VERSION_LABELS, statuses=STATUS_LABELS)


def _render_form(which: str, typed=None, errors=None, refused: ItemNotAdmitted | None = None, status: int = 200):
    key, title, button = FORMS[which]
    start = filing.start_form(user(), key)
    document = {**start.document, "properties": {k: v for k, v in (start.document.get("properties") or {}).items()
                                                 if k not in HIDDEN}}
    fields, general = formrender.fields(document, {}, typed, errors, start.choices)
    return render_template("admission_form.html", which=which, title=_(title), button=_(button), start=start,
                           fields=fields, form_errors=general, refused=refused), status


@bp.get("/admission/<any(apply,assign,withdraw):which>")
@login_required
def admission_form(which):
    return _render_form(which)


@bp.post("/admission/<any(apply,assign,withdraw):which>")
@login_required
def admission_submit(which):
    key = FORMS[which][0]
    start = filing.start_form(user(), key)
    data = formrender.parse(start.document, request.form)
    try:
        instance = filing.file(user(), key, data)
    except ItemNotAdmitted as refused:
        return _render_form(which, request.form, None, refused, 422)
    except InvalidInput as error:
        return _render_form(which, request.form, error.errors if isinstance(error.errors, dict) else None, None, 422)
    except DomainError as error:
        flash_error(error)
        return _render_form(which, request.form, None, None, error.status)
    flash_ok(_("已提交，案件编号 #%(id)s", id=instance.id))
    return redirect(url_for("web.case", instance_id=instance.id))


@bp.get("/admission/applications")
@login_required
def admission_applications():
    return render_template("admission_applications.html", rows=applications.listing(user()))


@bp.get("/admission/blocked")
@login_required
def admission_blocked():
    return render_template("admission_blocked.html", rows=blocked.listing(user(), request.args.get("org_unit")))


@bp.post("/admission/blocked/<int:instance_id>/<any(terminate,route_back):action>")
@login_required
def admission_release(instance_id, action):
    act = blocked.terminate if action == "terminate" else blocked.route_back
    try:
        act(instance_id, user(), request.form.get("reason"))
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.admission_blocked"))
    flash_ok(_("案件 #%(id)s 已终止", id=instance_id) if action == "terminate"
             else _("案件 #%(id)s 已退回部门", id=instance_id))
    return redirect(url_for("web.admission_blocked"))


def _burden_chart(report: dict) -> dict:
    labels = [row["name"] for row in report["rows"]]
    codes = sorted({i["code"] for row in report["rows"] for i in row["items"] if i["tasks"]})
    series = [(code, [next((i["tasks"] for i in row["items"] if i["code"] == code), 0) for row in report["rows"]])
              for code in codes]
    refusals = [(_("拒收"), [row["tasks_refused"] for row in report["rows"]]),
                (_("准入拦截"), [row["admission_refusals"] for row in report["rows"]])]
    return {"legend": [(code, charts.colour(n)) for n, (code, _v) in enumerate(series)],
            "refusal_legend": [(name, charts.colour(n)) for n, (name, _v) in enumerate(refusals)],
            "tasks": charts.stacked_bars(labels, series, _("各事项任务数")) if labels else None,
            "refusals": charts.stacked_bars(labels, refusals, _("拒收与准入拦截")) if labels else None}


@bp.get("/admission/burden")
@login_required
def admission_burden():
    try:
        report = burden.report(user(), request.args.get("org_unit") or None, request.args.get("month") or None)
    except InvalidInput as error:
        flash_error(error)
        report = burden.report(user(), None, None)
    if request.args.get("format") == "csv":
        return Response(burden.as_csv(report), mimetype="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="burden_{report["org_unit"]}_{report["month"]}.csv"'})
    return render_template("admission_burden.html", report=report, chart=_burden_chart(report))
