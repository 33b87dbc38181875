"""督查: breached and at-risk work for supervisors, with drill-down and history."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..sla import supervision
from .schemas import Code, InboxItemSchema, Page, PerPage, Timestamp

PREFIX = "/supervision"
blp = Blueprint("supervision", __name__, description="督查 Supervision")


class Scope(Schema):
    org_unit = Code()


class BreachArgs(Scope):
    colour = fields.String(load_default="at_risk", validate=validate.OneOf(tuple(supervision.COLOURS)))
    stage = Code()
    page = Page()
    per_page = PerPage(50, 200)


class HistoryArgs(Scope):
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


class BreachItem(InboxItemSchema):
    stage = fields.String(allow_none=True)
    age_hours = fields.Float()
    over_limit = fields.Float(allow_none=True, metadata={"description": "超时倍数: time used / limit"})
    sla_amount = fields.Float(allow_none=True)
    sla_unit = fields.String(allow_none=True)


class BreachPage(Schema):
    items = fields.List(fields.Nested(BreachItem))
    total = fields.Integer()


class SlaCountsSchema(Schema):
    open = fields.Integer()
    green = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()
    paused = fields.Integer()
    none = fields.Integer(metadata={"description": "open tasks without a time limit"})
    cases = fields.Integer()


class ChildCounts(SlaCountsSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    type = fields.String()


class StageCounts(SlaCountsSchema):
    stage = fields.String(allow_none=True)


class ProcessCounts(SlaCountsSchema):
    process_key = fields.String()
    name = fields.String()


class SummarySchema(Schema):
    org_unit = fields.String()
    name = fields.String()
    totals = fields.Nested(SlaCountsSchema)
    children = fields.List(fields.Nested(ChildCounts))
    stages = fields.List(fields.Nested(StageCounts))
    processes = fields.List(fields.Nested(ProcessCounts), metadata={"description": "per process: events, service "
                                                                                   "days, visits…"})


class CaseRow(Schema):
    instance_id = fields.Integer()
    title = fields.String(allow_none=True)
    title_en = fields.String(allow_none=True, metadata={"description": "the title in English, where the model "
                                                                       "gives one"})
    process_key = fields.String()
    worst = fields.String()
    tasks = fields.Integer()
    earliest_due = Timestamp(allow_none=True)


class FactSchema(Schema):
    id = fields.Integer()
    at = Timestamp()
    kind = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.Integer(attribute="human_task_id", allow_none=True)
    process_key = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    org_unit = fields.Function(lambda f: f.unit.code if f.unit else None)
    detail = fields.Dict(allow_none=True)


@blp.get("/breaches")
@blp.arguments(BreachArgs, location="query")
@blp.response(200, BreachPage)
def breaches(args):
    """Open tasks that are red (breached), yellow (at risk) or both, most overdue first."""
    items, total = supervision.breaches(current.require_user(), args["org_unit"], args["colour"], args["stage"],
                                        args["page"], args["per_page"])
    return {"items": items, "total": total}


@blp.get("/summary")
@blp.arguments(Scope, location="query")
@blp.response(200, SummarySchema)
def summary(args):
    """Counts per SLA colour for the unit, each child unit (drill down by calling again) and each stage."""
    return supervision.summary(current.require_user(), args["org_unit"])


@blp.get("/cases")
@blp.arguments(BreachArgs, location="query")
@blp.response(200, CaseRow(many=True))
def cases(args):
    """Cases with breached or at-risk tasks."""
    return supervision.cases(current.require_user(), args["org_unit"], args["colour"])


@blp.get("/history")
@blp.arguments(HistoryArgs, location="query")
@blp.response(200, FactSchema(many=True))
def history(args):
    """When tasks turned yellow and red (the breach history)."""
    return supervision.history(current.require_user(), args["org_unit"], args["since"], args["until"])
