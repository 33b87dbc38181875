"""Human tasks."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..cases import service, views
from ..inbox import actions
from ..sla import control, extension
from .schemas import (
    AttachmentSchema,
    Code,
    CommentSchema,
    Id,
    InboxItemSchema,
    TaskSchema,
    Timestamp,
    UserBriefSchema,
)

PREFIX = "/tasks"
blp = Blueprint("tasks", __name__, description="待办任务 Tasks")


class TaskQuery(Schema):
    instance_id = Id(load_default=None)
    process_key = Code()


class CompleteIn(Schema):
    data = fields.Dict(load_default=dict)


class CompleteOut(Schema):
    task = fields.Nested(TaskSchema)
    instance_id = fields.Integer()
    instance_status = fields.String()


@blp.get("")
@blp.arguments(TaskQuery, location="query")
@blp.response(200, TaskSchema(many=True))
def list_tasks(query):
    """Open tasks the caller may act on, soonest due first."""
    return views.open_tasks(current.require_user(), query.get("instance_id"), query.get("process_key"))


@blp.get("/<int:task_id>")
@blp.response(200, TaskSchema)
def detail(task_id):
    """One task with its form (values filled from the case)."""
    return views.task_detail(task_id, current.require_user())


@blp.post("/<int:task_id>/complete")
@blp.arguments(CompleteIn)
@blp.response(200, CompleteOut)
@blp.alt_response(409, description="the task is not open")
@blp.alt_response(403, description="the caller may not act on this task")
@blp.alt_response(422, description="the form data is invalid; errors by field")
def complete(body, task_id):
    """Complete a task with form data (claims it for the caller when unclaimed)."""
    done = service.complete(task_id, body["data"], current.require_user())
    return {"task": views.task_view(done.task, with_form=False), "instance_id": done.instance.id,
            "instance_status": done.instance.status}


class DelegateIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    note = fields.String(load_default=None, validate=validate.Length(max=1000))


class CommentIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class AttachmentIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    content_type = fields.String(load_default=None, validate=validate.Length(max=100))
    size = fields.Integer(load_default=None, validate=validate.Range(min=0))


@blp.post("/<int:task_id>/claim")
@blp.response(200, InboxItemSchema)
@blp.alt_response(409, description="already claimed by someone else, or no longer open")
def claim(task_id):
    """Claim an unclaimed task you are eligible for."""
    return actions.claim(task_id, current.require_user())


@blp.post("/<int:task_id>/release")
@blp.response(200, InboxItemSchema)
def release(task_id):
    """Give a claimed task back to everyone eligible (the assignee or their leader)."""
    return actions.release(task_id, current.require_user())


@blp.post("/<int:task_id>/delegate")
@blp.arguments(DelegateIn)
@blp.response(200, InboxItemSchema)
@blp.alt_response(422, description="the named user is not eligible for the task")
def delegate(body, task_id):
    """Hand the task to a named, eligible user (the assignee, an eligible user, or a leader may)."""
    return actions.delegate(task_id, current.require_user(), body["username"], body.get("note"))


@blp.get("/<int:task_id>/eligible-users")
@blp.response(200, UserBriefSchema(many=True))
def eligible_users(task_id):
    """Users who hold the task's role at its scope (delegation targets)."""
    return actions.eligible_users(task_id, current.require_user())


@blp.get("/<int:task_id>/comments")
@blp.response(200, CommentSchema(many=True))
def list_comments(task_id):
    return actions.comments(task_id, current.require_user())


@blp.post("/<int:task_id>/comments")
@blp.arguments(CommentIn)
@blp.response(201, CommentSchema)
def add_comment(body, task_id):
    """Comment on a task (anyone who may see it)."""
    return actions.add_comment(task_id, current.require_user(), body["text"])


@blp.get("/<int:task_id>/attachments")
@blp.response(200, AttachmentSchema(many=True))
def list_attachments(task_id):
    return actions.attachments(task_id, current.require_user())


@blp.post("/<int:task_id>/attachments")
@blp.arguments(AttachmentIn)
@blp.response(201, AttachmentSchema)
def add_attachment(body, task_id):
    """Attach a file reference (a storage key or an http(s) URL) to a task."""
    return actions.attach(task_id, current.require_user(), **body)


class PauseIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ExtensionIn(Schema):
    amount = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=10_000))
    unit = fields.String(required=True, validate=validate.OneOf(("emergency_hours", "work_hours", "work_days",
                                                                 "days")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ExtensionOut(Schema):
    approval_instance_id = fields.Integer(attribute="id")
    status = fields.String()


class UrgeIn(Schema):
    message = fields.String(load_default=None, validate=validate.Length(max=500))


class SlaSchema(InboxItemSchema):
    warn_at = Timestamp(allow_none=True)
    sla_amount = fields.Float(allow_none=True)
    sla_unit = fields.String(allow_none=True)
    paused_at = Timestamp(allow_none=True)
    remaining = fields.Float(allow_none=True)


@blp.post("/<int:task_id>/pause")
@blp.arguments(PauseIn)
@blp.response(200, SlaSchema)
def pause(body, task_id):
    """挂账: stop the task's clock, with a reason (its leaders and supervisors)."""
    return control.pause(task_id, current.require_user(), body["reason"])


@blp.post("/<int:task_id>/resume")
@blp.response(200, SlaSchema)
def resume(task_id):
    """Restart a paused clock with the time that was left."""
    return control.resume(task_id, current.require_user())


@blp.post("/<int:task_id>/extension")
@blp.arguments(ExtensionIn)
@blp.response(201, ExtensionOut)
def request_extension(body, task_id):
    """延期: ask for more time; the task role's leader approves in an approval task."""
    return extension.request(task_id, current.require_user(), body["amount"], body["unit"], body["reason"])


@blp.post("/<int:task_id>/urge")
@blp.arguments(UrgeIn)
@blp.response(200, SlaSchema)
def urge(body, task_id):
    """催办: remind whoever is doing the task."""
    return control.urge(task_id, current.require_user(), body.get("message"))
