"""The organisation: units, households, and bulk import/export (administrators)."""

from flask import Response, request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..auth import current
from ..errors import InvalidInput
from ..extensions import db
from ..models import OrgUnit
from ..org import access, exchange, households, tree
from .schemas import OrgUnitSchema

PREFIX = ""
blp = Blueprint("org", __name__, description="组织架构 Organisation")
KINDS = tuple(exchange.FIELDS)


class OrgQuery(Schema):
    level = fields.String(load_default=None)
    parent = fields.String(load_default=None)


class HouseholdQuery(Schema):
    org_unit = fields.String(load_default=None)
    flag = fields.String(load_default=None, validate=validate.OneOf(households.FLAGS))


class HouseholdSchema(Schema):
    code = fields.String()
    org_unit = fields.String()
    address = fields.String()
    members = fields.Integer(allow_none=True)
    elderly_alone = fields.Boolean()
    hardship = fields.Boolean()
    disability = fields.Boolean()
    head_name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    personal_visible = fields.Boolean()


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
    units = select(OrgUnit).order_by(OrgUnit.path)
    if query.get("level"):
        units = units.where(OrgUnit.level == query["level"])
    if query.get("parent"):
        parent_id = select(OrgUnit.id).where(OrgUnit.code == query["parent"]).scalar_subquery()
        units = units.where(OrgUnit.parent_id == parent_id)
    return list(db.session.execute(units).scalars())


@blp.get("/households")
@blp.arguments(HouseholdQuery, location="query")
@blp.response(200, HouseholdSchema(many=True))
def list_households(query):
    """Households where the caller works; names, phones and ID numbers only for those who serve them."""
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
