"""Business-calendar arithmetic for forms and dashboards, and each locality's calendar settings."""

from zoneinfo import ZoneInfo

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..calendar import UNITS, localities
from ..errors import InvalidInput
from ..org import access, tree

PREFIX = "/calendar"
LOCAL = ZoneInfo("Asia/Shanghai")  # a time without an offset is Beijing time
blp = Blueprint("calendar", __name__, description="工作日历 Business calendar")


class AddArgs(Schema):
    start = fields.AwareDateTime(required=True, default_timezone=LOCAL)
    amount = fields.Float(required=True, validate=validate.Range(min=0, max=100_000))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    org_unit = fields.String(load_default=None, validate=validate.Length(max=128))


class ElapsedArgs(Schema):
    start = fields.AwareDateTime(required=True, default_timezone=LOCAL)
    end = fields.AwareDateTime(required=True, default_timezone=LOCAL)
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    org_unit = fields.String(load_default=None, validate=validate.Length(max=128))


class DueOut(Schema):
    due = fields.DateTime(metadata={"description": "in the locality's time zone"})


class ElapsedOut(Schema):
    elapsed = fields.Float()


class LocalityArgs(Schema):
    locality = fields.String(load_default=None, validate=validate.Length(max=128))
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class SettingSchema(Schema):
    locality = fields.Function(lambda s: s.locality or None, dump_only=True)
    timezone = fields.String(load_default=None)
    periods = fields.String(load_default=None, metadata={"example": "08:00-12:00,14:00-18:00"})


class DaySchema(Schema):
    day = fields.Date(required=True)
    workday = fields.Boolean(required=True, allow_none=True,
                             metadata={"description": "false: a day off; true: a working day; null: remove"})
    name = fields.String(load_default=None, validate=validate.Length(max=100))


class DaysIn(Schema):
    days = fields.List(fields.Nested(DaySchema), required=True, validate=validate.Length(min=1, max=1000))


def _unit(code):
    return tree.require(code, "org_unit") if code else None


@blp.get("/add")
@blp.arguments(AddArgs, location="query")
@blp.response(200, DueOut)
def add(args):
    """When ``amount`` of ``unit`` from ``start`` ends, on the calendar of ``org_unit`` (422 beyond about a
    century of the unit, or outside the years 1900-2199)."""
    current.require_user()
    return {"due": localities.add(args["start"], args["amount"], args["unit"], _unit(args["org_unit"]))}


@blp.get("/elapsed")
@blp.arguments(ElapsedArgs, location="query")
@blp.response(200, ElapsedOut)
def elapsed(args):
    """How much of ``unit`` lies between ``start`` and ``end`` on the calendar of ``org_unit`` (at most 100
    years apart, within the years 1900-2199)."""
    current.require_user()
    if args["end"] < args["start"]:
        raise InvalidInput("end is before start", {"end": ["must not be before start"]})
    return {"elapsed": localities.elapsed(args["start"], args["end"], args["unit"], _unit(args["org_unit"]))}


@blp.get("/days")
@blp.arguments(LocalityArgs, location="query")
@blp.response(200, DaySchema(many=True))
def list_days(args):
    """A locality's own day overrides ('' or omitted: the platform's)."""
    current.require_user()
    return localities.days(args["locality"], args["year"])


@blp.put("/days")
@blp.arguments(LocalityArgs, location="query")
@blp.arguments(DaysIn)
@blp.response(200, DaySchema(many=True))
def save_days(args, body):
    """Set a locality's days off and working days (administrators)."""
    actor = current.require_user()
    access.require_admin(actor, _unit(args["locality"]) or tree.root_unit())
    return localities.save_days(args["locality"], body["days"], actor)


@blp.put("/settings")
@blp.arguments(LocalityArgs, location="query")
@blp.arguments(SettingSchema)
@blp.response(200, SettingSchema)
def save_setting(args, body):
    """Set a locality's working periods and time zone (administrators)."""
    actor = current.require_user()
    access.require_admin(actor, _unit(args["locality"]) or tree.root_unit())
    return localities.save_setting(args["locality"], timezone=body.get("timezone"), periods=body.get("periods"),
                                   actor=actor)
