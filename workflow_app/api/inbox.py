"""The inbox: a user's open tasks with filters, counts and pages."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..inbox import queries
from .schemas import Code, InboxItemSchema, Page, PerPage

PREFIX = "/inbox"
blp = Blueprint("inbox", __name__, description="待办箱 Inbox")


class InboxArgs(Schema):
    state = fields.String(load_default="open", validate=validate.OneOf(queries.STATES),
                          metadata={"description": "open (all I may act on), unclaimed, mine (assigned to me), "
                                                   "done (completed by me)"})
    process_key = Code()
    overdue = fields.Boolean(load_default=None)
    org_unit = Code(metadata={"description": "only tasks in this unit's subtree"})
    q = fields.String(load_default=None, validate=validate.Length(max=100), metadata={"description": "text"})
    page = Page()
    per_page = PerPage(20, queries.MAX_PER_PAGE)


class CountsSchema(Schema):
    open = fields.Integer()
    unclaimed = fields.Integer()
    mine = fields.Integer()
    overdue = fields.Integer()
    processes = fields.Dict(keys=fields.String(), values=fields.Integer())


class InboxPageSchema(Schema):
    items = fields.List(fields.Nested(InboxItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Nested(CountsSchema)


@blp.get("")
@blp.arguments(InboxArgs, location="query")
@blp.response(200, InboxPageSchema)
def inbox(args):
    """My tasks, soonest due first, with counts per state, overdue and process."""
    query = queries.InboxQuery(state=args["state"], process_key=args["process_key"], overdue=args["overdue"],
                               org_unit=args["org_unit"], text=args["q"], page=args["page"],
                               per_page=args["per_page"])
    return queries.inbox(current.require_user(), query)
