"""The organisation: units, households, and bulk import/export (administrators)."""

from flask import Response, request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..auth import current
from ..errors import InvalidInput
from ..org import access, exchange, households, tree
from .schemas import Code, OrgUnitSchema

PREFIX = ""
blp = Blueprint("org", __name__, description="组织架构 Organisation")
KINDS = tuple(exchange.FIELDS)


class OrgQuery(Schema):
    level = Code()
    parent = Code()


class HouseholdQuery(Schema):
    org_unit = Code()
    flag = fields.String(load_default=None, validate=validate.OneOf(households.FLAGS))


class HouseholdSchema(Schema):
    """A household; each field is null where the caller's roles do not see its class."""

    id = fields.Integer()
    code = fields.String()
    org_unit = fields.String()
    address = fields.String(allow_none=True)
    members = fields.Integer(allow_none=True)
    elderly_alone = fields.Boolean(allow_none=True)
    hardship = fields.Boolean(allow_none=True)
    disability = fields.Boolean(allow_none=True)
    head_name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    groups = fields.List(fields.String(), allow_none=True, metadata={"description": "other special groups"})
    personal_visible = fields.Boolean()
    classes = fields.List(fields.String(), metadata={"description": "the field classes the caller sees"})


class ImportForm(Schema):
    format = fields.String(load_default=None, validate=validate.OneOf(("csv", "json")))


class ImportFile(Schema):
    file = Upload(load_default=None)


class ImportReport(Schema):
    kind = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class ExportQuery(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "json")))


@blp.get("/org-units")
@blp.arguments(OrgQuery, location="query")
@blp.response(200, OrgUnitSchema(many=True))
def list_units(query):
    """Org units, parents before children."""
    current.require_user()
    return tree.listing(query.get("level"), query.get("parent"))


@blp.get("/households")
@blp.arguments(HouseholdQuery, location="query")
@blp.response(200, HouseholdSchema(many=True))
def list_households(query):
    """Households where the caller's roles see them, each field class as ``org/visibility.json`` allows:
    names, phones and ID numbers only for those who serve them; never for residents."""
    return households.listing(current.require_user(), query.get("org_unit"), query.get("flag"))


def _import_source(form: dict, upload: dict) -> tuple[bytes, str]:
    if upload.get("file") is not None:
        content = upload["file"].read()
        name = (upload["file"].filename or "").lower()
        return content, form.get("format") or ("json" if name.endswith(".json") else "csv")
    if request.is_json:
        return request.get_data(), "json"
    raise InvalidInput("upload a CSV or JSON file as 'file', or send JSON rows", {"file": ["missing"]})


@blp.post("/org/import/<any(org_units,users,households):kind>")
@blp.arguments(ImportForm, location="form")
@blp.arguments(ImportFile, location="files")
@blp.response(200, ImportReport)
@blp.alt_response(422, description="nothing imported; errors lists {row, field, message}")
def import_rows(form, upload, kind):
    """Import org units, users or households (CSV or JSON); all rows or none (administrators)."""
    actor = current.require_user()
    access.require_admin(actor, tree.root_unit())
    content, fmt = _import_source(form, upload)
    return exchange.run_import(kind, content, fmt, actor)


@blp.get("/org/export/<any(org_units,users,households):kind>")
@blp.arguments(ExportQuery, location="query")
def export_rows(query, kind):
    """Export org units, users or households as CSV (default) or JSON (administrators)."""
    actor = current.require_user()
    access.require_admin(actor, tree.root_unit())
    fmt = query["format"]
    body = exchange.render(kind, fmt)
    mimetype = "application/json" if fmt == "json" else "text/csv"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'})
