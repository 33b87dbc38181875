"""考核评价 Indicators: tables per unit, person and period; explanations; definitions; adjustments."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..indicators import report, service
from .schemas import Code, Timestamp

PREFIX = "/indicators"
blp = Blueprint("indicators", __name__, description="考核评价 Indicators and scores")

PERIOD_HELP = "YYYY-MM, YYYY-Qn or YYYY (default: this month); or give from and to"


class PeriodArgs(Schema):
    org_unit = Code(metadata={"description": "the unit whose subtree is evaluated (default: your highest)"})
    period = fields.String(load_default=None, validate=validate.Length(max=24), metadata={"description": PERIOD_HELP})
    first = fields.Date(data_key="from", load_default=None, metadata={"description": "first day (with to)"})
    last = fields.Date(data_key="to", load_default=None, metadata={"description": "last day, included"})


class TableArgs(PeriodArgs):
    level = fields.String(load_default=None, validate=validate.OneOf(report.LEVELS))
    role = Code(metadata={"description": "with level=person: only people holding this role"})
    adjusted = fields.Boolean(load_default=True, metadata={"description": "false: the figures without adjustments"})
    sort = fields.String(load_default=None, validate=validate.Length(max=64),
                         metadata={"description": "an indicator id, composite or rank (default: rank)"})
    order = fields.String(load_default="desc", validate=validate.OneOf(("asc", "desc")))


class ExplainArgs(PeriodArgs):
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=64))
    subject = Code(metadata={"description": "a unit code or a username (default: org_unit)"})


class AdjustmentIn(Schema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=64),
                            metadata={"description": "a unit code or a username"})
    period = fields.String(required=True, validate=validate.Length(min=4, max=24))
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=64))
    delta = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-1e6, max=1e6))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AdjustmentOut(Schema):
    id = fields.Integer()
    subject = fields.String(allow_none=True)
    period = fields.String()
    indicator = fields.String(allow_none=True)
    atom = fields.String(allow_none=True)
    delta = fields.Float()
    reason = fields.String()
    author = fields.String()
    at = Timestamp()


class AdjustmentQuery(Schema):
    org_unit = Code()
    period = fields.String(load_default=None, validate=validate.Length(max=24))


class RowOut(Schema):
    subject = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    level = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Raw())
    rates = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={"description": "fractions 0–1"})
    scores = fields.Dict(keys=fields.String(), values=fields.Raw())
    composite = fields.Float(allow_none=True)
    composite_indicator = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    short = fields.Boolean(metadata={"description": "the composite's sample is below its min_count (样本不足): "
                                                   "no composite, grade or rank"})
    rank = fields.Integer(allow_none=True)
    previous = fields.Dict(allow_none=True, metadata={"description": "composite, rank and grade a period before"})
    change = fields.Dict(allow_none=True, metadata={"description": "composite difference; rank places gained"})
    adjustments = fields.List(fields.Nested(AdjustmentOut))
    definitions = fields.List(fields.Dict())


class ScorecardOut(RowOut):
    period = fields.String()
    period_label = fields.String()
    as_of = Timestamp()
    explanation = fields.Dict(metadata={"description": "the composite's terms and parts, down to the facts"})


class TableOut(Schema):
    period = fields.String()
    period_label = fields.String()
    kind = fields.String()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    as_of = Timestamp()
    closed = fields.Boolean()
    frozen = fields.Boolean()
    frozen_at = Timestamp(allow_none=True)
    adjusted = fields.Boolean()
    org_unit = fields.String()
    org_unit_name = fields.String()
    level = fields.String()
    role = fields.String(allow_none=True, metadata={"description": "with level=person: the role whose people are "
                                                                  "ranked (the first scored role when none asked)"})
    definitions_version = fields.Integer()
    definitions = fields.List(fields.Dict())
    indicators = fields.List(fields.Dict())
    total = fields.Nested(RowOut)
    rows = fields.List(fields.Nested(RowOut))


class ExplainOut(Schema):
    class Meta:
        unknown = "include"

    subject = fields.String()
    name = fields.String()
    period = fields.String()
    period_label = fields.String()
    as_of = fields.String()
    closed = fields.Boolean()
    indicator = fields.String()
    kind = fields.String()
    value = fields.Raw(allow_none=True)
    formula = fields.String()
    facts = fields.List(fields.Dict())
    cases = fields.List(fields.Dict())
    tasks = fields.List(fields.Dict())
    total = fields.Integer()
    terms = fields.List(fields.Dict())
    parts = fields.List(fields.Dict())
    adjustments = fields.List(fields.Dict())
    definitions = fields.List(fields.Dict())
    composite = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)


class DefinitionsQuery(Schema):
    locality = Code()


class DefinitionsIn(Schema):
    document = fields.Dict(required=True, metadata={"description": "the definitions (or a locality's overlay)"})
    locality = fields.String(load_default=None, validate=validate.Length(max=64))
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class IndicatorsDeployOut(Schema):
    locality = fields.String(allow_none=True)
    version = fields.Integer()
    sha256 = fields.String()
    unchanged = fields.Boolean()


class TrendArgs(Schema):
    org_unit = Code()
    level = fields.String(load_default=None, validate=validate.OneOf(report.LEVELS))
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=service.MAX_TREND_MONTHS))
    end = fields.String(load_default=None, validate=validate.Length(max=7), metadata={"description": "YYYY-MM"})


class MeArgs(Schema):
    period = fields.String(load_default=None, validate=validate.Length(max=24))


def _table_args(args: dict) -> service.TableArgs:
    return service.TableArgs(**{k: args.get(k) for k in ("org_unit", "period", "first", "last", "level", "role",
                                                          "adjusted", "sort", "order")})


@blp.get("")
@blp.arguments(TableArgs, location="query")
@blp.response(200, TableOut)
def table(args):
    """Counts, rates (fractions), composite, grade and rank of each subject at ``level`` under
    ``org_unit`` (grids, communities, towns, departments or people), with the unit's own total
    and the change from the previous period. A closed month is read from its frozen snapshot."""
    return service.table(current.require_user(), _table_args(args))


@blp.get("/explain")
@blp.arguments(ExplainArgs, location="query")
@blp.response(200, ExplainOut)
def explain(args):
    """The facts, cases and tasks behind one figure, its formula in words and its parts."""
    return service.explain_figure(current.require_user(), args["org_unit"], args["subject"], args["period"],
                                  args["first"], args["last"], args["indicator"])


@blp.get("/me")
@blp.arguments(MeArgs, location="query")
@blp.response(200, ScorecardOut)
def me(args):
    """Your own scorecard for a period, and how its composite was computed."""
    return service.scorecard(current.require_user(), args["period"])


@blp.get("/trend")
@blp.arguments(TrendArgs, location="query")
def trend(args):
    """Month by month: the unit's totals and each row's composite."""
    return service.trend(current.require_user(), args["org_unit"], args["months"], args["level"], args["end"])


@blp.get("/definitions")
@blp.arguments(DefinitionsQuery, location="query")
def definitions(args):
    """The definitions in force (for a locality: merged over the platform's), their version, each
    formula in Chinese words, and the version history."""
    return service.definitions(current.require_user(), args["locality"])


@blp.post("/definitions")
@blp.arguments(DefinitionsIn, location="json")
@blp.response(201, IndicatorsDeployOut)
@blp.alt_response(200, schema=IndicatorsDeployOut, description="identical definitions: nothing deployed")
def deploy(body):
    """Deploy definitions (designers): a changed document is the next version."""
    result = service.deploy(current.require_user(), body["document"], body["locality"], body["comment"])
    return result, (200 if result["unchanged"] else 201)


@blp.post("/adjustments")
@blp.arguments(AdjustmentIn, location="json")
@blp.response(201, AdjustmentOut)
def adjust(body):
    """Correct a count of a subject in a period (supervisors and evaluators): the figure shows the
    sum and lists the adjustment with its reason; the frozen figure stays readable."""
    return service.adjust(current.require_user(), body["subject"], body["period"], body["indicator"], body["delta"],
                          body["reason"])


@blp.get("/adjustments")
@blp.arguments(AdjustmentQuery, location="query")
@blp.response(200, AdjustmentOut(many=True))
def adjustments(args):
    """Adjustments in a unit's subtree (optionally of one period)."""
    return service.list_adjustments(current.require_user(), args["org_unit"], args["period"])
