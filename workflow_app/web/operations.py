"""Probes, metrics and the administrators' operations page (运维).

- ``GET /healthz``: the process answers (200, no database involved).
- ``GET /readyz``: the database answers, the schema is at the newest migration and a scheduler
  ticked recently: 200, or 503 with the reasons.
- ``GET /metrics``: Prometheus text format, for administrators (Bearer token or session) and the
  addresses in WORKFLOW_METRICS_ALLOW.
- ``GET /operations``: schedulers and their heartbeats (stale ones flagged), readiness, partitions.
- ``GET /operations/incidents``: cases in error or blocked, in plain words with the failed element;
  ``POST …/<id>/retry`` (with corrected data), ``/suspend``, ``/resume``, ``/terminate``.
"""

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import current
from ..auth import session as web_session
from ..cases import admin
from ..errors import DomainError
from ..inbox import incidents
from ..ops import health, overview
from . import bp
from .common import flash_error, flash_ok, login_required, user
from .i18n import N_

CHECK_NAMES = {"database": N_("数据库"), "migrations": N_("数据库迁移"), "scheduler": N_("调度")}


@bp.get("/healthz")
def healthz():
    return jsonify(health.alive())


@bp.get("/readyz")
def readyz():
    found = health.readiness()
    body = {"status": "ready" if found.ready else "not_ready", "checks": found.checks, "reasons": found.reasons}
    response = jsonify(body)
    response.status_code = 200 if found.ready else 503
    if not found.ready:
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/metrics")
def metrics():
    try:
        person = current.user() or web_session.user()
        payload, content_type = overview.scrape(current_app._get_current_object(), request.remote_addr, person)
    except DomainError as error:
        return Response(error.message + "\n", status=error.status, mimetype="text/plain")
    return Response(payload, mimetype=content_type.split(";")[0], content_type=content_type)


@bp.get("/operations")
@login_required
def operations():
    found = overview.overview(user())
    return render_template("operations.html", view=found, check_names=CHECK_NAMES)


@bp.get("/operations/incidents")
@login_required
def incident_list():
    return render_template("incidents.html", items=incidents.listing(user()))


def _act(instance_id: int, action, done: str):
    try:
        action()
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(done)
    return redirect(url_for("web.incident_list") + f"#case-{instance_id}")


@bp.post("/operations/incidents/<int:instance_id>/retry")
@login_required
def incident_retry(instance_id: int):
    def retry():
        admin.retry(instance_id, user(), incidents.corrections(request.form.get("data")))

    return _act(instance_id, retry, _("已重新运行案件 #%(id)s", id=instance_id))


@bp.post("/operations/incidents/<int:instance_id>/suspend")
@login_required
def incident_suspend(instance_id: int):
    return _act(instance_id, lambda: admin.suspend(instance_id, user()), _("案件 #%(id)s 已暂停", id=instance_id))


@bp.post("/operations/incidents/<int:instance_id>/resume")
@login_required
def incident_resume(instance_id: int):
    return _act(instance_id, lambda: admin.resume(instance_id, user()), _("案件 #%(id)s 已恢复", id=instance_id))


@bp.post("/operations/incidents/<int:instance_id>/terminate")
@login_required
def incident_terminate(instance_id: int):
    reason = (request.form.get("reason") or "").strip()[:2000] or None
    return _act(instance_id, lambda: admin.terminate(instance_id, user(), reason),
                _("案件 #%(id)s 已终止", id=instance_id))
