"""marshmallow schemas shared by the API modules."""

from datetime import UTC

from marshmallow import Schema, fields, validate

# Every number that reaches a query is bounded: ids fit the 32-bit id columns, a page offset stays
# small, and text that names something (a code, a key) is short. Larger values answer 422, not 500.
MAX_ID = 2**31 - 1
MAX_PAGE = 10_000


def Id(**kwargs) -> fields.Integer:  # a field factory, used like a field class
    """An id in a query or body: a whole number from 1 to 2^31-1."""
    return fields.Integer(strict=False, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Page(**kwargs) -> fields.Integer:
    return fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE), **kwargs)


def PerPage(default: int, maximum: int) -> fields.Integer:
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=maximum))


def Code(**kwargs) -> fields.String:
    """A unit code, process key or username given as a filter: at most 128 characters."""
    kwargs.setdefault("load_default", None)
    return fields.String(validate=validate.Length(max=128), **kwargs)


class Timestamp(fields.DateTime):
    """Every timestamp the API returns is ISO 8601 in UTC, whatever zone it was computed in."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    reason = fields.String()
    message = fields.String()
    errors = fields.Raw()
    request_id = fields.String()  # also the X-Request-ID header; on every log line of the request


class OrgUnitSchema(Schema):
    code = fields.String()
    name = fields.String(attribute="name_zh")
    name_en = fields.String(allow_none=True)
    level = fields.String()
    type = fields.String(attribute="kind")
    grid_type = fields.String(allow_none=True)
    duty = fields.String(allow_none=True)
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
    org_unit_name = fields.String(allow_none=True)
    instance_id = fields.Integer()
    process_key = fields.String()
    bpmn_id = fields.String()
    title = fields.String(allow_none=True)
    title_en = fields.String(allow_none=True, metadata={"description": "the title in English, where the "
                                                                         "model gives one"})
    state = fields.String()
    assignee = fields.String(allow_none=True)
    created_at = Timestamp()
    due_at = Timestamp(allow_none=True)
    sla_state = fields.String(allow_none=True)
    form = fields.Nested(FormSchema, allow_none=True)


class InboxItemSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    org_unit = fields.Function(lambda t: t.scope_unit.code if t.scope_unit else None)
    org_unit_name = fields.Function(lambda t: t.scope_unit.name_zh if t.scope_unit else None)
    instance_id = fields.Integer()
    process_key = fields.String()
    bpmn_id = fields.String()
    title = fields.String(allow_none=True)
    title_en = fields.String(allow_none=True, metadata={"description": "the title in English, where the "
                                                                         "model gives one"})
    state = fields.String()
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    form = fields.String(allow_none=True)
    created_at = Timestamp()
    claimed_at = Timestamp(allow_none=True)
    due_at = Timestamp(allow_none=True)
    sla_state = fields.String(allow_none=True)
    completed_at = Timestamp(allow_none=True)


class UserBriefSchema(Schema):
    username = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True)
    roles = fields.Function(lambda u: [f"{a.role_code}@{a.org_unit.code}" for a in u.assignments])


class CommentSchema(Schema):
    id = fields.Integer()
    task_id = fields.Integer()
    author = fields.Function(lambda c: c.author.username)
    author_name = fields.Function(lambda c: c.author.name)
    at = Timestamp()
    text = fields.String()


class AttachmentSchema(Schema):
    id = fields.Integer()
    task_id = fields.Integer()
    name = fields.String()
    reference = fields.String()
    content_type = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    uploaded_by = fields.Function(lambda a: a.uploaded_by.username)
    at = Timestamp()


class TimerSchema(Schema):
    bpmn_id = fields.String()
    name = fields.String(allow_none=True)
    kind = fields.String()
    due_at = Timestamp(allow_none=True)
    attached_to = fields.String(allow_none=True)
    interrupting = fields.Boolean(allow_none=True)


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = Timestamp()
    kind = fields.String()
    actor = fields.String(allow_none=True)
    task_id = fields.Integer(attribute="human_task_id", allow_none=True)
    task_name = fields.String(allow_none=True)
    changed_keys = fields.List(fields.String(), allow_none=True)
    detail = fields.Dict(allow_none=True)
