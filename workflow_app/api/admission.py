"""工作事项准入 Item-entry admission: the admitted-items lists, their import and export, the burden
report, applications, blocked cases and each county's enforcement settings. The processes
themselves (``item_admission``, ``item_withdrawal``, ``department_assignment``) run through
``/instances`` and ``/tasks``; a start refused for admission answers 422 ``item_not_admitted``."""

from flask import Response, jsonify
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..admission import applications, blocked, burden, exchange, lists, settings
from ..admission.enforcement import ItemNotAdmitted
from ..auth import current
from .schemas import Code, Timestamp

PREFIX = "/admission"
blp = Blueprint("admission", __name__, description="工作事项准入 Item-entry admission")
STATUS = validate.OneOf(("admitted", "withdrawn", "expired", "all"))


@blp.app_errorhandler(ItemNotAdmitted)
def _not_admitted(error: ItemNotAdmitted):
    """A refused start: 422 with ``code: item_not_admitted``, the item and the units."""
    refusal = error.refusal
    body = {"code": "item_not_admitted", "status": "Unprocessable Entity", "reason": "item_not_admitted",
            "message": error.message, "message_zh": error.message_zh, "errors": error.errors,
            "item_code": refusal.item_code, "units": refusal.units, "problem": refusal.problem}
    return jsonify(body), 422


class AdmissionItemsQuery(Schema):
    org_unit = Code()
    status = fields.String(load_default=None, validate=STATUS)
    list = fields.String(load_default=None, validate=validate.OneOf(("duty", "assist")))
    department = Code()


class AdmissionTargetSchema(Schema):
    unit = fields.String()
    name = fields.String()
    levels = fields.List(fields.String())


class AdmissionItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    list = fields.String()
    list_name = fields.String()
    department = fields.String(allow_none=True)
    department_name = fields.String(allow_none=True)
    basis = fields.String()
    description = fields.String(allow_none=True)
    valid_from = fields.String()
    valid_to = fields.String(allow_none=True)
    status = fields.String()
    in_force = fields.Boolean()
    withdrawn_from = fields.String(allow_none=True)
    units = fields.List(fields.String())
    targets = fields.List(fields.Nested(AdmissionTargetSchema))
    resources = fields.Dict()
    workload = fields.Integer(allow_none=True)
    version = fields.Integer()


class AdmissionVersionSchema(Schema):
    version = fields.Integer()
    at = Timestamp()
    kind = fields.String()
    actor = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    decision = fields.Dict(allow_none=True)
    snapshot = fields.Dict()


class AdmissionListEntrySchema(Schema):
    unit = fields.String()
    unit_name = fields.String()
    version = fields.Integer()
    at = Timestamp()
    change = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    effective = fields.String()
    levels = fields.List(fields.String())
    instance_id = fields.Integer(allow_none=True)


class AdmissionItemDetail(AdmissionItemSchema):
    versions = fields.List(fields.Nested(AdmissionVersionSchema))
    lists = fields.List(fields.Nested(AdmissionListEntrySchema))


class AdmissionCountyQuery(Schema):
    county = Code()


class AdmissionUnitListSchema(Schema):
    org_unit = fields.String()
    name = fields.String()
    level = fields.String()
    items = fields.List(fields.Nested(AdmissionItemSchema))
    versions = fields.List(fields.Nested(AdmissionListEntrySchema))


class AdmissionImportForm(Schema):
    county = fields.String(load_default=None, validate=validate.Length(max=64))


class AdmissionImportFile(Schema):
    file = Upload(required=True)


class AdmissionImportReport(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    changed = fields.Integer()
    unchanged = fields.Integer()
    withdrawn = fields.Integer()


class AdmissionExportQuery(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "json")))
    org_unit = Code()
    status = fields.String(load_default="all", validate=STATUS)


class BurdenQuery(Schema):
    org_unit = Code()
    month = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class BurdenItem(Schema):
    code = fields.String()
    name = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    in_force = fields.Boolean()
    tasks = fields.Integer()
    hours = fields.Float()
    resources = fields.Dict()


class AdmissionReasonCount(Schema):
    reason = fields.String()
    count = fields.Integer()


class AdmissionDepartmentCount(Schema):
    department = fields.String()
    name = fields.String()
    count = fields.Integer()


class BurdenRow(Schema):
    org_unit = fields.String()
    name = fields.String()
    items_in_force = fields.Integer()
    items = fields.List(fields.Nested(BurdenItem))
    tasks_received = fields.Integer()
    hours_spent = fields.Float()
    other_tasks = fields.Integer()
    tasks_refused = fields.Integer()
    refusal_reasons = fields.List(fields.Nested(AdmissionReasonCount))
    admission_refusals = fields.Integer()
    admission_refusals_by_department = fields.List(fields.Nested(AdmissionDepartmentCount))
    funding_promised = fields.Float()
    staff_promised = fields.Float()


class BurdenReport(Schema):
    org_unit = fields.String()
    name = fields.String()
    month = fields.String()
    rows = fields.List(fields.Nested(BurdenRow))
    totals = fields.Dict()


class AdmissionApplicationsQuery(Schema):
    department = Code()
    status = fields.String(load_default=None, validate=validate.Length(max=32))


class AdmissionApplicationSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    name = fields.String()
    item_code = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    department_name = fields.String(allow_none=True)
    status = fields.String()
    status_name = fields.String()
    reason = fields.String(allow_none=True)
    units = fields.List(fields.String())
    valid_from = fields.String(allow_none=True)
    filed_at = Timestamp()
    updated_at = Timestamp()
    case_status = fields.String(allow_none=True)


class BlockedQuery(Schema):
    org_unit = Code()


class BlockedSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    name = fields.String()
    title = fields.String()
    org_unit = fields.String()
    status = fields.String()
    item_code = fields.String(allow_none=True)
    problem = fields.String(allow_none=True)
    units = fields.List(fields.String())
    department = fields.String(allow_none=True)
    task = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    message_zh = fields.String(allow_none=True)
    blocked_at = fields.String(allow_none=True)
    started_at = Timestamp()


class AdmissionReleaseIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AdmissionReleaseOut(Schema):
    id = fields.Integer()
    status = fields.String()
    process_key = fields.String()


class AdmissionSettingsSchema(Schema):
    county = fields.String(dump_only=True)
    levels = fields.List(fields.String(validate=validate.Length(max=20)), required=True,
                         validate=validate.Length(min=1, max=5))
    exempt = fields.List(fields.String(validate=validate.Length(min=1, max=128)), load_default=list,
                         validate=validate.Length(max=settings.MAX_EXEMPT))
    updated_at = Timestamp(dump_only=True, allow_none=True)
    updated_by = fields.String(dump_only=True, allow_none=True)


@blp.get("/items")
@blp.arguments(AdmissionItemsQuery, location="query")
@blp.response(200, AdmissionItemSchema(many=True))
def list_items(query):
    """Items for ``org_unit`` (inherited from its ancestors); without ``status`` the ones in force today."""
    return lists.for_unit(current.require_user(), query.get("org_unit"), query.get("status"), query.get("list"),
                          query.get("department"))


@blp.get("/items/<code>")
@blp.arguments(AdmissionCountyQuery, location="query")
@blp.response(200, AdmissionItemDetail)
def item_detail(query, code):
    """One item with its history: versions (decisions, changes, withdrawal) and the list versions it made."""
    return lists.item(current.require_user(), code[:64], query.get("county"))


@blp.get("/lists/<unit>")
@blp.response(200, AdmissionUnitListSchema)
def unit_list(unit):
    """A unit's list of admitted items today and the versions of the lists it inherits."""
    return lists.unit_list(current.require_user(), unit[:64])


@blp.post("/import")
@blp.arguments(AdmissionImportForm, location="form")
@blp.arguments(AdmissionImportFile, location="files")
@blp.response(200, AdmissionImportReport)
@blp.alt_response(422, description="nothing imported; errors lists {row, field, message}")
def import_items(form, upload):
    """Import a county's admitted items from CSV (administrators or the joint meeting): all rows or none."""
    return exchange.import_csv(upload["file"].read(), current.require_user(), form.get("county"))


@blp.get("/export")
@blp.arguments(AdmissionExportQuery, location="query")
def export_items(query):
    """The admitted items as CSV (the import's columns) or JSON."""
    body, mimetype = exchange.export(current.require_user(), query["format"], query.get("org_unit"),
                                     query.get("status"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="admitted_items.{query["format"]}"'})


@blp.get("/burden")
@blp.arguments(BurdenQuery, location="query")
@blp.response(200, BurdenReport)
def burden_report(query):
    """减负: per community and month, items in force, tasks per item, hours, refusals, admission refusals."""
    report = burden.report(current.require_user(), query.get("org_unit"), query.get("month"))
    if query["format"] == "csv":
        return Response(burden.as_csv(report), mimetype="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="burden_{report["org_unit"]}_{report["month"]}.csv"'})
    return report


@blp.get("/applications")
@blp.arguments(AdmissionApplicationsQuery, location="query")
@blp.response(200, AdmissionApplicationSchema(many=True))
def list_applications(query):
    """Applications for admission and their status (the department's own; the county's for county roles)."""
    return applications.listing(current.require_user(), query.get("department"), query.get("status"))


@blp.get("/blocked")
@blp.arguments(BlockedQuery, location="query")
@blp.response(200, BlockedSchema(many=True))
def list_blocked(query):
    """Cases blocked because their item is not admitted where they would go next."""
    return blocked.listing(current.require_user(), query.get("org_unit"))


@blp.post("/blocked/<int:instance_id>/terminate")
@blp.arguments(AdmissionReleaseIn)
@blp.response(200, AdmissionReleaseOut)
def terminate_blocked(body, instance_id):
    """End a blocked case (the pushing department or an administrator)."""
    return blocked.terminate(instance_id, current.require_user(), body["reason"])


@blp.post("/blocked/<int:instance_id>/route-back")
@blp.arguments(AdmissionReleaseIn)
@blp.response(200, AdmissionReleaseOut)
def route_back_blocked(body, instance_id):
    """Send a blocked case's held tasks back the way its model says (``admission_route_back``)."""
    return blocked.route_back(instance_id, current.require_user(), body["reason"])


@blp.get("/settings")
@blp.arguments(AdmissionCountyQuery, location="query")
@blp.response(200, AdmissionSettingsSchema)
def get_settings(query):
    """A county's enforced levels and exempt processes."""
    return settings.read(current.require_user(), query.get("county"))


@blp.put("/settings")
@blp.arguments(AdmissionCountyQuery, location="query")
@blp.arguments(AdmissionSettingsSchema)
@blp.response(200, AdmissionSettingsSchema)
def put_settings(query, body):
    """Set a county's enforced levels and exempt processes (administrators or the joint meeting)."""
    return settings.save(query.get("county"), body["levels"], body["exempt"], current.require_user())

