"""网格服务日、专人结对: the service-day schedule and settings, pairings, visit histories, coverage."""

from flask import Response, request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..auth import current
from ..errors import InvalidInput
from ..service_day import coverage, pairing, schedule, settings, visits
from .org import HouseholdSchema
from .schemas import Code, Timestamp

PREFIX = ""
blp = Blueprint("service_day", __name__, description="网格服务日 Grid service day and paired visits")
Reference = validate.Length(min=1, max=64)


class ScheduleArgs(Schema):
    org_unit = Code()
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class ScheduleItem(Schema):
    month = fields.String()
    date = fields.Date(allow_none=True)
    theme = fields.String(allow_none=True)
    projects = fields.List(fields.String())
    theme_source = fields.String(allow_none=True)
    rule = fields.Dict(allow_none=True)
    rule_text = fields.String(allow_none=True)
    source_locality = fields.String(allow_none=True)
    planning_date = fields.Date(allow_none=True)
    deadline = Timestamp(allow_none=True, metadata={"description": "visits still open after this are overdue"})


class LocalityArgs(Schema):
    locality = fields.String(required=True, validate=validate.Length(min=1, max=128))


class SettingsIn(Schema):
    rule = fields.Raw(allow_none=True, metadata={"description": '{"day": 15} or {"weekday": "fri", "nth": 1}; '
                                                               "null: inherit"})
    lead_days = fields.Raw(allow_none=True, metadata={"description": "working days before the day (default 5)"})
    deadline_days = fields.Raw(allow_none=True, metadata={"description": "working days after it (default 3)"})
    pairing_cap = fields.Raw(allow_none=True, metadata={"description": "households per person before a warning"})


class EffectiveSchema(Schema):
    rule = fields.Function(lambda e: e.rule.as_dict() if e.rule else None)
    rule_text = fields.Function(lambda e: e.rule.describe() if e.rule else None)
    lead_days = fields.Integer()
    deadline_days = fields.Integer()
    pairing_cap = fields.Integer()
    sources = fields.Dict(metadata={"description": "where each setting comes from (a unit code)"})


class SettingsOut(Schema):
    locality = fields.String()
    rule = fields.Dict(allow_none=True)
    lead_days = fields.Integer(allow_none=True)
    deadline_days = fields.Integer(allow_none=True)
    pairing_cap = fields.Integer(allow_none=True)
    effective = fields.Nested(EffectiveSchema)


class ThemeArgs(LocalityArgs):
    month = fields.String(required=True, validate=validate.Length(equal=7))


class ThemeIn(Schema):
    theme = fields.String(required=True, validate=validate.Length(min=1, max=200))
    projects = fields.List(fields.String(validate=validate.Length(max=200)), load_default=list,
                           validate=validate.Length(max=settings.MAX_PROJECTS))


class ThemeOut(Schema):
    locality = fields.Function(lambda t: t.unit.code)
    month = fields.String()
    theme = fields.String()
    projects = fields.List(fields.String())


class PairingIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))


class WarningSchema(Schema):
    code = fields.String()
    message = fields.String()
    message_en = fields.String()
    count = fields.Integer()
    cap = fields.Integer()


class PairingOut(Schema):
    household_id = fields.Integer()
    code = fields.String()
    username = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    paired_at = Timestamp(allow_none=True)
    count = fields.Integer(metadata={"description": "households the person is paired with"})
    cap = fields.Integer()
    warnings = fields.List(fields.Nested(WarningSchema))


class GroupsIn(Schema):
    groups = fields.List(fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$")), required=True,
                         validate=validate.Length(max=20))


class PairingsForm(Schema):
    format = fields.String(load_default=None, validate=validate.OneOf(("csv", "json")))


class PairingsFile(Schema):
    file = Upload(load_default=None)


class PairingsImported(Schema):
    rows = fields.Integer()
    paired = fields.Integer()
    unpaired = fields.Integer()
    unchanged = fields.Integer()
    warnings = fields.List(fields.Nested(WarningSchema))


class PersonSchema(Schema):
    username = fields.String()
    name = fields.String()


class EventSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    closed = fields.Boolean()
    ended_at = Timestamp(allow_none=True)
    title = fields.String(allow_none=True)


class VisitSchema(Schema):
    id = fields.Integer()
    visited_at = Timestamp()
    month = fields.String()
    kind = fields.String(metadata={"description": "service_day or cadence"})
    outcome = fields.String(metadata={"description": "met, not_home or refused"})
    outcome_name = fields.String()
    visitor = fields.Nested(PersonSchema, allow_none=True)
    needs = fields.String(allow_none=True)
    help_given = fields.String(allow_none=True)
    photos = fields.List(fields.String())
    problem_found = fields.Boolean()
    problem_description = fields.String(allow_none=True)
    problem_code = fields.String(allow_none=True)
    case_id = fields.Integer()
    event = fields.Nested(EventSchema, allow_none=True, metadata={"description": "the event case the problem started"})
    cadence_days = fields.Integer(allow_none=True)
    next_due = fields.Date(allow_none=True)


class HistorySchema(Schema):
    household_id = fields.Integer()
    code = fields.String()
    household = fields.Nested(HouseholdSchema)
    paired_with = fields.Nested(PersonSchema, allow_none=True)
    next_due = fields.Date(allow_none=True, metadata={"description": "when the next visit is due (none: service days)"})
    last_visited_at = Timestamp(allow_none=True)
    visits = fields.List(fields.Nested(VisitSchema))


class UnitArgs(Schema):
    org_unit = fields.String(required=True, validate=validate.Length(min=1, max=128))


class CoverageArgs(Schema):
    org_unit = Code()
    month = fields.String(load_default=None, validate=validate.Length(equal=7))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class CoverageCounts(Schema):
    due = fields.Integer()
    met = fields.Integer()
    not_home = fields.Integer()
    refused = fields.Integer()
    open = fields.Integer()
    coverage = fields.Float(allow_none=True, metadata={"description": "met ÷ due"})
    coverage_percent = fields.Float(allow_none=True)
    unpaired = fields.Integer()
    problems = fields.Integer()
    events_started = fields.Integer()
    events_closed = fields.Integer()
    visits = fields.Integer()


class CoverageRow(CoverageCounts):
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    level = fields.String()


class PersonCounts(Schema):
    username = fields.String()
    name = fields.String()
    visits = fields.Integer()
    met = fields.Integer()
    not_home = fields.Integer()
    refused = fields.Integer()


class CoverageOut(Schema):
    org_unit = fields.String()
    name = fields.String()
    level = fields.String()
    month = fields.String()
    totals = fields.Nested(CoverageCounts)
    rows = fields.List(fields.Nested(CoverageRow))
    people = fields.List(fields.Nested(PersonCounts))


class PairedHousehold(Schema):
    household = fields.Function(lambda line: HouseholdSchema().dump(line[0]))
    pairing = fields.Function(lambda line: PairingOut().dump(line[1]))
    special = fields.Function(lambda line: line[2], metadata={"description": "null where flags are not shown"})


class LoadSchema(Schema):
    username = fields.String()
    name = fields.String()
    count = fields.Integer()
    cap = fields.Integer()
    over = fields.Boolean()


class UnitPairingsOut(Schema):
    org_unit = fields.Function(lambda p: p.unit.code)
    households = fields.List(fields.Nested(PairedHousehold))
    people = fields.List(fields.Nested(LoadSchema))
    gaps = fields.Integer()


class DayLine(Schema):
    household_id = fields.Function(lambda line: line.due.household_id)
    household = fields.Function(lambda line: HouseholdSchema().dump(line.household) if line.household else None)
    kind = fields.Function(lambda line: line.due.kind)
    due_date = fields.Function(lambda line: line.due.due_date.isoformat())
    task_id = fields.Function(lambda line: line.task.id if line.task else None)
    visit = fields.Function(lambda line: VisitSchema().dump(line.visit) if line.visit else None)


class DayOut(Schema):
    instance_id = fields.Function(lambda d: d.case.id)
    status = fields.Function(lambda d: d.case.status)
    plan = fields.Dict()
    counts = fields.Dict()
    visits = fields.List(fields.Nested(DayLine), attribute="lines")


@blp.get("/service-day/schedule")
@blp.arguments(ScheduleArgs, location="query")
@blp.response(200, ScheduleItem(many=True))
def get_schedule(args):
    """Each month's service day in a unit (default: where the caller works), after holidays move it,
    with the month's theme, the rule and the locality it comes from."""
    return schedule.listing(current.require_user(), args["org_unit"], args["year"])


@blp.get("/service-day/settings")
@blp.arguments(LocalityArgs, location="query")
@blp.response(200, SettingsOut)
def get_settings(args):
    """A locality's own service-day settings and those in effect there."""
    current.require_user()
    return settings.view(args["locality"])


@blp.put("/service-day/settings")
@blp.arguments(LocalityArgs, location="query")
@blp.arguments(SettingsIn)
@blp.response(200, SettingsOut)
def put_settings(args, body):
    """Set a locality's service-day rule (and planning lead, visit deadline, pairing cap); a town's own rule
    overrides the county's there. Administrators, supervisors, and the leaders of a town or county."""
    return settings.save(args["locality"], body, current.require_user())


@blp.delete("/service-day/settings")
@blp.arguments(LocalityArgs, location="query")
@blp.response(200, SettingsOut)
def delete_settings(args):
    """Remove a locality's own settings: it follows the unit above it again."""
    return settings.clear(args["locality"], current.require_user())


@blp.put("/service-day/themes")
@blp.arguments(ThemeArgs, location="query")
@blp.arguments(ThemeIn)
@blp.response(200, ThemeOut)
def put_theme(args, body):
    """Set a month's theme and themed projects for a town or county (the planning task does it too)."""
    return settings.save_theme(args["locality"], args["month"], body["theme"], body["projects"],
                               current.require_user())


@blp.put("/households/<reference>/pairing")
@blp.arguments(PairingIn)
@blp.response(200, PairingOut)
def put_pairing(body, reference):
    """Pair a household (id or code) with a person; past the cap the answer carries a warning."""
    return pairing.pair(current.require_user(), _reference(reference), body["username"])


@blp.delete("/households/<reference>/pairing")
@blp.response(200, PairingOut)
def delete_pairing(reference):
    """Unpair a household."""
    return pairing.unpair(current.require_user(), _reference(reference))


@blp.put("/households/<reference>/groups")
@blp.arguments(GroupsIn)
@blp.response(200, HouseholdSchema)
def put_groups(body, reference):
    """Set the special groups a locality defines beyond the three flags (codes such as left_behind_child)."""
    return pairing.set_groups(current.require_user(), _reference(reference), body["groups"])


@blp.get("/households/<reference>/visits")
@blp.response(200, HistorySchema)
def get_visits(reference):
    """A household's visits (newest first), its pairing and when its next visit is due."""
    return visits.history(current.require_user(), _reference(reference))


@blp.post("/org/import/pairings")
@blp.arguments(PairingsForm, location="form")
@blp.arguments(PairingsFile, location="files")
@blp.response(200, PairingsImported)
@blp.alt_response(422, description="nothing imported; errors lists {row, field, message}")
def import_pairings(form, upload):
    """Import pairings from CSV (columns household, username; an empty username unpairs) or JSON rows;
    all rows or none."""
    actor = current.require_user()
    if upload.get("file") is not None:
        content = upload["file"].read()
        fmt = form.get("format") or ("json" if (upload["file"].filename or "").lower().endswith(".json") else "csv")
    elif request.is_json:
        content, fmt = request.get_data(), "json"
    elif request.content_type and request.content_type.startswith("text/csv"):
        content, fmt = request.get_data(), "csv"
    else:
        raise InvalidInput("upload a CSV or JSON file as 'file'", {"file": ["missing"]})
    return pairing.import_rows(actor, content, fmt)


@blp.get("/service-day/pairings")
@blp.arguments(UnitArgs, location="query")
@blp.response(200, UnitPairingsOut)
def get_pairings(args):
    """A unit's households with their pairings, each person's load against the cap, and the gaps."""
    return pairing.unit_pairings(current.require_user(), args["org_unit"])


@blp.get("/service-day/gaps")
@blp.arguments(UnitArgs, location="query")
@blp.response(200, HouseholdSchema(many=True))
def get_gaps(args):
    """Special-group households in a unit that nobody is paired with."""
    return pairing.gaps(current.require_user(), args["org_unit"])


@blp.get("/service-day/coverage")
@blp.arguments(CoverageArgs, location="query")
@blp.response(200, CoverageOut)
def get_coverage(args):
    """Visit coverage per child unit for a month (``format=csv`` for a spreadsheet)."""
    result = coverage.report(current.require_user(), args["org_unit"], args["month"])
    if args["format"] == "csv":
        name = f"coverage-{result['org_unit']}-{result['month']}.csv"
        return Response(coverage.as_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return result


@blp.get("/service-day/days/<int:instance_id>")
@blp.response(200, DayOut)
def get_day(instance_id):
    """A service-day case's plan and each household due, with its visit (as the caller may see them)."""
    return visits.day(current.require_user(), instance_id)


def _reference(value: str) -> str:
    if not 0 < len(value) <= 64:
        raise InvalidInput("a household id or code", {"household": ["1 to 64 characters"]})
    return value
