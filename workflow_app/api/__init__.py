"""The HTTP API under /api/v1: routes parse with marshmallow, call one service, dump with marshmallow."""

import logging

from flask import jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..errors import DomainError

log = logging.getLogger(__name__)
_LOCATIONS = {"json", "form", "query", "files", "view_args", "headers", "path", "querystring"}


def _flatten(errors):
    """webargs nests field errors under their location; the API reports them by field (a multipart
    part without a name is field "_", never a null key the JSON encoder cannot sort)."""
    if isinstance(errors, dict) and errors and set(errors) <= _LOCATIONS:
        merged = {}
        for value in errors.values():
            items = value.items() if isinstance(value, dict) else [("_", value)]
            merged.update({"_" if key is None else str(key): messages for key, messages in items})
        return merged
    return errors


def error_body(status: int, name: str, message: str, errors=None, reason: str | None = None) -> dict:
    from ..ops.logs import request_id

    return {"code": status, "status": name, "reason": reason or name.lower().replace(" ", "_"),
            "message": message, "errors": errors if errors is not None else {}, "request_id": request_id()}


class PlatformApi(Api):
    """flask-smorest with one error envelope: {code, status, reason, message, errors}."""

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = _flatten(data.get("errors", data.get("messages")))
        message = data.get("message") or error.description or error.name
        if error.code == 422 and errors and not data.get("message"):
            message = "the request has invalid fields"
        body = error_body(error.code or 500, error.name, message, errors)
        return jsonify(body), error.code


def handle_domain_error(error: DomainError):
    from werkzeug.http import HTTP_STATUS_CODES

    name = HTTP_STATUS_CODES.get(error.status, "Error")
    body = error_body(error.status, name, error.message, error.errors, error.reason)
    response = jsonify(body)
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="workflow"'
    if error.status in (429, 503):
        response.headers["Retry-After"] = str(getattr(error, "retry_after", 1))
    return response


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return error
    log.exception("unhandled error on %s %s", request.method, request.path)
    return jsonify(error_body(500, "Internal Server Error", "an unexpected error occurred; it has been logged")), 500


def init_app(app) -> PlatformApi:
    from .. import security

    security.install(app)  # app-wide: safe defaults, and the pages' forms are checked like the API's bodies
    api = PlatformApi(app, spec_kwargs={
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    from . import (
        admission,
        auth,
        bulletins,
        calendar,
        catalogue,
        definitions,
        drafts,
        evaluation,
        inbox,
        indicators,
        instances,
        messages,
        notifications,
        org,
        service_day,
        supervision,
        tasks,
    )

    for module in (auth, definitions, org, instances, tasks, inbox, calendar, supervision, notifications,
                   catalogue, messages, admission, indicators, bulletins, service_day, evaluation, drafts):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
    return api
