"""Cases (process instances)."""

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..cases import admin, views
from ..inbox import reporting
from .schemas import AuditEventSchema, TaskSchema, TimerSchema, Timestamp

PREFIX = "/instances"
blp = Blueprint("instances", __name__, description="案件 Process instances")


class StartIn(Schema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=128))
    org_unit = fields.String(required=True, validate=validate.Length(min=1, max=64))
    data = fields.Dict(load_default=dict)


class InstanceOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Function(lambda i: i.version.version)
    locality = fields.Function(lambda i: i.version.locality or None)
    status = fields.String()
    org_unit = fields.Function(lambda i: i.org_unit.code)
    started_at = Timestamp()
    updated_at = Timestamp()
    ended_at = Timestamp(allow_none=True)
    error = fields.Function(lambda i: views.error_shown(i, current.require_user()), allow_none=True,
                            metadata={"description": "what went wrong; the engine's own text only for administrators"
                                                     " and designers"})


class InstanceDetail(InstanceOut):
    data = fields.Dict()
    tasks = fields.List(fields.Nested(TaskSchema))
    timers = fields.List(fields.Nested(TimerSchema))
    history = fields.List(fields.Nested(AuditEventSchema))


class RetryIn(Schema):
    data = fields.Dict(load_default=dict, metadata={"description": "corrections merged into the failed task's data"})


class TerminateIn(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


@blp.post("")
@blp.arguments(StartIn)
@blp.response(201, InstanceOut)
@blp.alt_response(409, description="the Idempotency-Key was used before for a different request")
def start(body):
    """Start a case on the version of ``process_key`` that applies to ``org_unit``.

    With an ``Idempotency-Key`` header (8–100 characters), a retry of the same request by the same
    person answers the case the first one started (header ``Idempotent-Replayed: true``) instead of
    starting another; the same key with a different request answers 409."""
    started = reporting.start_once(body["process_key"], body["org_unit"], body["data"], current.require_user(),
                                   key=request.headers.get("Idempotency-Key"))
    return started.instance, 201, {"Idempotent-Replayed": "true" if started.replayed else "false"}


@blp.get("/<int:instance_id>")
@blp.response(200, InstanceDetail)
def detail(instance_id):
    """Status, data, open tasks, pending timers with due times, and the audit history."""
    return views.instance_detail(instance_id, current.require_user())


@blp.post("/<int:instance_id>/retry")
@blp.arguments(RetryIn)
@blp.response(200, InstanceOut)
def retry(body, instance_id):
    """Re-run the failed step of a case in error, optionally correcting its data (administrators)."""
    return admin.retry(instance_id, current.require_user(), body.get("data"))


@blp.post("/<int:instance_id>/suspend")
@blp.response(200, InstanceOut)
def suspend(instance_id):
    return admin.suspend(instance_id, current.require_user())


@blp.post("/<int:instance_id>/resume")
@blp.response(200, InstanceOut)
def resume(instance_id):
    return admin.resume(instance_id, current.require_user())


@blp.post("/<int:instance_id>/terminate")
@blp.arguments(TerminateIn)
@blp.response(200, InstanceOut)
def terminate(body, instance_id):
    return admin.terminate(instance_id, current.require_user(), body.get("reason"))
