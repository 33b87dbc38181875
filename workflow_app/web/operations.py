"""Probes, metrics and the administrators' operations page (运维).

- ``GET /healthz``: the process answers (200, no database involved).
- ``GET /readyz``: the database answers, the schema is at the newest migration and a scheduler
  ticked recently: 200, or 503 with the reasons.
- ``GET /metrics``: Prometheus text format, for administrators (Bearer token or session) and the
  addresses in WORKFLOW_METRICS_ALLOW.
- ``GET /operations``: schedulers and their heartbeats (stale ones flagged), readiness, partitions.
"""

from flask import Response, current_app, jsonify, render_template, request

from ..auth import current
from ..auth import session as web_session
from ..errors import DomainError
from ..ops import health, overview
from . import bp
from .common import login_required, user


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
    return render_template("operations.html", view=found)
