"""Human tasks."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth import current
from ..cases import service, views
from .schemas import TaskSchema

PREFIX = "/tasks"
blp = Blueprint("tasks", __name__, description="待办任务 Tasks")


class TaskQuery(Schema):
    instance_id = fields.Integer(load_default=None)
    process_key = fields.String(load_default=None)


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
