"""第三方评估、反向考核 Evaluation: reverse-evaluation scores, the evaluator's rounds, points."""

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..evaluation import data, departments, honours, points, rounds
from .schemas import Code, Timestamp

PREFIX = ""
blp = Blueprint("evaluation", __name__, description="第三方评估、反向考核 Evaluation, points")
PERIOD_HELP = "YYYY-MM, YYYY-Qn or YYYY (default: this month)"
BINARY = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodArgs(Schema):
    org_unit = Code(metadata={"description": "the unit whose subtree is evaluated (default: your highest)"})
    period = fields.String(load_default=None, validate=validate.Length(max=24), metadata={"description": PERIOD_HELP})


class Figures(Schema):
    accept = fields.Float(allow_none=True, metadata={"description": "接单 average, 1–5"})
    communicate = fields.Float(allow_none=True, metadata={"description": "沟通 average, 1–5"})
    handle = fields.Float(allow_none=True, metadata={"description": "处置 average, 1–5"})
    average = fields.Float(allow_none=True, metadata={"description": "the three steps' average, 1–5"})
    ratings = fields.Float(allow_none=True, metadata={"description": "ratings given"})
    expired = fields.Float(allow_none=True, metadata={"description": "ratings expired without a score"})
    expired_share = fields.Float(allow_none=True, metadata={"description": "expired ÷ (ratings + expired)"})
    satisfaction = fields.Float(allow_none=True, metadata={"description": "residents' verdicts satisfied, 0–1"})
    verdicts = fields.Float(allow_none=True)
    score = fields.Float(allow_none=True, metadata={"description": "反向评价得分 (composite)"})


class Handler(Figures):
    username = fields.String()
    name = fields.String()


class Department(Figures):
    unit = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    handlers = fields.List(fields.Nested(Handler))


class DepartmentsOut(Schema):
    period = fields.String()
    period_label = fields.String()
    org_unit = fields.String()
    org_unit_name = fields.String()
    frozen = fields.Boolean()
    indicators = fields.Dict(keys=fields.String(), values=fields.String(),
                             metadata={"description": "the indicator behind each field"})
    total = fields.Nested(Figures)
    departments = fields.List(fields.Nested(Department))


class EvaluationSettingsArgs(Schema):
    locality = fields.String(required=True, validate=validate.Length(min=1, max=64))


class EvaluationSettingsIn(Schema):
    document = fields.Dict(required=True, metadata={"description": "sections to change: rating, sample, points, "
                                                                   "honours, appeals, survey"})


@blp.get("/evaluation/departments")
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, DepartmentsOut)
def department_scores(args):
    """Reverse-evaluation scores per department and handler for a period: 接单, 沟通, 处置, their
    average, the number of ratings and the share expired, with the residents' satisfaction."""
    return departments.scores(current.require_user(), args["org_unit"], args["period"])


@blp.get("/evaluation/settings")
@blp.arguments(EvaluationSettingsArgs, location="query")
def settings(args):
    """The evaluation data in force at a locality (sample sizes, points rules, honours thresholds)."""
    return data.view(current.require_user(), args["locality"])


@blp.put("/evaluation/settings")
@blp.arguments(EvaluationSettingsArgs, location="query")
@blp.arguments(EvaluationSettingsIn, location="json")
def save_settings(args, body):
    """Change a locality's evaluation data (administrators and supervisors); returns what is in force."""
    return data.save(current.require_user(), args["locality"], body["document"])


class SampleRule(Schema):
    share = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0.001, max=1),
                         metadata={"description": "the share of each grid's closed cases drawn (0.1 = 10 %)"})
    minimum = fields.Integer(load_default=None, validate=validate.Range(min=1, max=1000),
                             metadata={"description": "at least this many per grid (all when it has fewer)"})


class RoundIn(Schema):
    scope = fields.String(required=True, validate=validate.Length(min=1, max=64),
                          metadata={"description": "the unit evaluated (county or town)"})
    period = fields.String(required=True, validate=validate.Length(min=4, max=24),
                           metadata={"description": PERIOD_HELP})
    sample = fields.Nested(SampleRule, load_default=dict,
                           metadata={"description": "default: the locality's evaluation data"})
    seed = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                         metadata={"description": "the same seed draws the same sample (default: a new one)"})


class RoundCreated(Schema):
    id = fields.Integer()
    seed = fields.String()
    sample_size = fields.Integer()
    instance_id = fields.Integer(allow_none=True)


class MismatchOut(Schema):
    round_id = fields.Integer()
    case_id = fields.Integer()
    grid = fields.String()
    grid_name = fields.String()
    called_at = Timestamp(allow_none=True)
    satisfaction = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)


class RoundSummary(Schema):
    id = fields.Integer()
    scope = fields.String()
    scope_name = fields.String()
    period = fields.String()
    period_label = fields.String()
    share = fields.Float()
    minimum = fields.Integer()
    seed = fields.String()
    sample_size = fields.Integer()
    status = fields.String()
    instance_id = fields.Integer(allow_none=True)
    created_at = Timestamp()
    closed_at = Timestamp(allow_none=True)
    progress = fields.Dict(metadata={"description": "sample_size, called, reached, mismatches, surveys, done_share"})


class RoundOut(RoundSummary):
    scores = fields.Dict(metadata={"description": "per grid and per grid worker: the third-party indicators"})
    mismatches = fields.List(fields.Nested(MismatchOut))


class SampleOut(Schema):
    id = fields.Integer()
    seed = fields.String()
    share = fields.Float()
    minimum = fields.Integer()
    case_ids = fields.List(fields.Integer())
    grids = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
    grid_names = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "each grid's name"})


class MismatchArgs(Schema):
    org_unit = Code()


@blp.post("/evaluation/rounds")
@blp.arguments(RoundIn, location="json")
@blp.response(201, RoundCreated)
def open_round(body):
    """Open a third-party evaluation round (evaluators): the sample is drawn per grid and the
    callback and survey tasks go to the evaluators' inbox."""
    rule = body["sample"] or {}
    return rounds.create(current.require_user(), body["scope"], body["period"], rule.get("share"),
                         rule.get("minimum"), body["seed"])


@blp.get("/evaluation/rounds")
@blp.response(200, RoundSummary(many=True))
def list_rounds():
    """The rounds the caller may read, newest first, with their progress."""
    return rounds.listing(current.require_user())


@blp.get("/evaluation/rounds/<int:round_id>")
@blp.response(200, RoundOut)
def get_round(round_id):
    """A round: its sample rule and seed, progress, the per-grid and per-worker scores, mismatches."""
    return rounds.detail(current.require_user(), round_id)


def _report(round_id: int, kind: str) -> Response:
    content, mimetype, name = rounds.report_file(current.require_user(), round_id, kind)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.get("/evaluation/rounds/<int:round_id>/report.pdf")
@blp.alt_response(200, schema=BINARY, content_type="application/pdf", description="the PDF", success=True)
def round_pdf(round_id):
    """The round's report as a printable PDF (Chinese text in an embedded font)."""
    return _report(round_id, "pdf")


@blp.get("/evaluation/rounds/<int:round_id>/report.xlsx")
@blp.alt_response(200, schema=BINARY, content_type=XLSX, description="the workbook", success=True)
def round_xlsx(round_id):
    """The round's report as an XLSX workbook (a sheet per grid and per worker, the mismatches)."""
    return _report(round_id, "xlsx")


@blp.get("/evaluation/rounds/<int:round_id>/sample")
@blp.response(200, SampleOut)
def get_sample(round_id):
    """The round's sampled case ids (and per grid)."""
    return rounds.sample(current.require_user(), round_id)


@blp.get("/evaluation/mismatches")
@blp.arguments(MismatchArgs, location="query")
@blp.response(200, MismatchOut(many=True))
def list_mismatches(args):
    """Sampled cases the platform closed that the resident says are not solved (for supervisors)."""
    return rounds.mismatches(current.require_user(), args["org_unit"])


class PointsArgs(Schema):
    username = Code(metadata={"description": "whose points (default: your own; others: supervisors and overseers)"})


class PointsEntryOut(Schema):
    id = fields.Integer()
    at = Timestamp()
    kind = fields.String(metadata={"description": "earned or redeemed"})
    delta = fields.Integer()
    balance = fields.Integer(metadata={"description": "after this line"})
    rule = fields.String(allow_none=True)
    item = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)


class PointsOut(Schema):
    username = fields.String()
    name = fields.String()
    balance = fields.Integer()
    earned = fields.Integer()
    redeemed = fields.Integer()
    rules = fields.List(fields.Dict(), metadata={"description": "the rules in force where the person works"})
    history = fields.List(fields.Nested(PointsEntryOut))


class RedemptionIn(Schema):
    username = Code(metadata={"description": "whose points (default: your own)"})
    points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=points.MAX_POINTS))
    item = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "what the points were exchanged for"})


class RedemptionOut(Schema):
    id = fields.Integer()
    username = fields.String()
    points = fields.Integer()
    item = fields.String()
    balance = fields.Integer()
    at = Timestamp()


@blp.get("/points")
@blp.arguments(PointsArgs, location="query")
@blp.response(200, PointsOut)
def get_points(args):
    """A person's points: balance, what was earned by which rule, what was redeemed."""
    return points.ledger(current.require_user(), args["username"])


@blp.post("/points/redemptions")
@blp.arguments(RedemptionIn, location="json")
@blp.response(201, RedemptionOut)
def redeem_points(body):
    """Record a redemption (积分兑换日); one beyond the balance is refused with 422."""
    return points.redeem(current.require_user(), body["username"], body["points"], body["item"])


class Honoured(Schema):
    kind = fields.String(metadata={"description": "the kind of honour in the locality's data (grid, grid_worker…)"})
    title = fields.String()
    subject = fields.String(metadata={"description": "a unit code or a username"})
    name = fields.String()
    unit = fields.String()
    unit_name = fields.String(allow_none=True, metadata={"description": "where the candidate is (the unit's name)"})
    composite = fields.Float(allow_none=True)
    figures = fields.Dict(allow_none=True, metadata={"description": "the figures over the thresholds"})
    period = fields.String()
    awarded_at = Timestamp()
    instance_id = fields.Integer(allow_none=True)


class HonoursOut(Schema):
    period = fields.String()
    period_label = fields.String()
    org_unit = fields.String()
    org_unit_name = fields.String()
    candidates = fields.List(fields.Nested(Honoured), allow_none=True,
                             metadata={"description": "everyone over the thresholds, no cap (null: not yours to see)"})
    awarded = fields.List(fields.Nested(Honoured), metadata={"description": "the honours roll, public to the county"})


class NominationIn(Schema):
    org_unit = Code()
    period = fields.String(required=True, validate=validate.Length(min=4, max=24))


class NominationOut(Schema):
    id = fields.Integer()
    process_key = fields.String()


@blp.get("/honours")
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, HonoursOut)
def get_honours(args):
    """The honours of a period: every candidate over the locality's thresholds, and the roll awarded."""
    return honours.roll(current.require_user(), args["org_unit"], args["period"])


@blp.post("/honours/nominations")
@blp.arguments(NominationIn, location="json")
@blp.response(201, NominationOut)
def nominate(body):
    """Start the honours nomination of a period with every candidate (supervisors): each town
    (the locality's ``honours.review_level``) nominates from its own candidates, then the county
    supervisor approves; neither can add anyone, and withholding needs a reason."""
    return honours.nominate(current.require_user(), body["org_unit"], body["period"])
