"""marshmallow schemas shared by the API modules."""

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    reason = fields.String()
    message = fields.String()
    errors = fields.Raw()


class OrgUnitSchema(Schema):
    code = fields.String()
    name = fields.String(attribute="name_zh")
    name_en = fields.String(allow_none=True)
    level = fields.String()
    type = fields.String(attribute="kind")
    grid_type = fields.String(allow_none=True)
    parent = fields.Function(lambda u: u.parent.code if u.parent else None)


class FormSchema(Schema):
    name = fields.String()
    title = fields.String(allow_none=True)
    title_en = fields.String(allow_none=True)
    schema = fields.Dict()
    ui = fields.Raw(allow_none=True)
    values = fields.Dict()


class TaskSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    org_unit = fields.String(allow_none=True)
    instance_id = fields.Integer()
    process_key = fields.String()
    bpmn_id = fields.String()
    title = fields.String(allow_none=True)
    state = fields.String()
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    sla_state = fields.String(allow_none=True)
    form = fields.Nested(FormSchema, allow_none=True)


class TimerSchema(Schema):
    bpmn_id = fields.String()
    name = fields.String(allow_none=True)
    kind = fields.String()
    due_at = fields.DateTime(allow_none=True)
    attached_to = fields.String(allow_none=True)
    interrupting = fields.Boolean(allow_none=True)


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String(allow_none=True)
    task_id = fields.Integer(attribute="human_task_id", allow_none=True)
    task_name = fields.String(allow_none=True)
    changed_keys = fields.List(fields.String(), allow_none=True)
    detail = fields.Dict(allow_none=True)
