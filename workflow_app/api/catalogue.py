"""The event catalogue (立案标准): browse, import, and locality overrides of time limits."""

from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..auth import current
from ..calendar import UNITS
from ..catalogue import conditions
from ..errors import InvalidInput
from ..org import access, tree

PREFIX = "/catalogue"
blp = Blueprint("catalogue", __name__, description="立案标准 Event catalogue")


class ConditionSchema(Schema):
    code = fields.String()
    kind = fields.String(data_key="class")
    category_code = fields.String()
    category = fields.String()
    subcategory_code = fields.String()
    subcategory = fields.String()
    condition = fields.String()
    time_limit = fields.Float()
    time_unit = fields.String()
    closing_condition = fields.String()
    department_type = fields.String()
    severity = fields.String()
    category_en = fields.String(allow_none=True)  # the catalogue's English, where it gives one
    subcategory_en = fields.String(allow_none=True)
    condition_en = fields.String(allow_none=True)
    closing_condition_en = fields.String(allow_none=True)


class LookupSchema(ConditionSchema):
    kind = fields.String(attribute="class", data_key="class")
    catalogue_version = fields.Integer()
    overridden_by = fields.String(allow_none=True)


class Query(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=50))


class LookupQuery(Schema):
    org_unit = fields.String(load_default=None, validate=validate.Length(max=128))


class CatalogueImportForm(Schema):
    comment = fields.String(load_default=None, validate=validate.Length(max=500))


class CatalogueFile(Schema):
    file = Upload(required=True)


class CatalogueImportOut(Schema):
    version = fields.Integer()
    created = fields.Boolean()
    conditions = fields.Integer()


class OverrideItem(Schema):
    condition_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    time_limit = fields.Float(required=True, allow_none=True,
                              validate=validate.Range(min=0, min_inclusive=False, max=10_000))
    time_unit = fields.String(load_default="work_hours", validate=validate.OneOf(UNITS))


class OverridesIn(Schema):
    items = fields.List(fields.Nested(OverrideItem), required=True, validate=validate.Length(min=1, max=500))


class LocalityQuery(Schema):
    locality = fields.String(required=True, validate=validate.Length(min=1, max=128))


@blp.get("")
@blp.arguments(Query, location="query")
@blp.response(200, ConditionSchema(many=True))
def list_conditions(query):
    """The newest catalogue's filing conditions (``q`` filters by text or code)."""
    current.require_user()
    rows = conditions.conditions()
    text = (query.get("q") or "").strip()
    if text:
        rows = [r for r in rows if text in r.code or text in r.subcategory or text in r.condition
                or text in r.category or text.lower() in " ".join(
                    (r.category_en or "", r.subcategory_en or "", r.condition_en or "")).lower()]
    return rows


@blp.get("/<code>")
@blp.arguments(LookupQuery, location="query")
@blp.response(200, LookupSchema)
def lookup(query, code):
    """One condition as it applies in ``org_unit`` (with that locality's override of its limit)."""
    current.require_user()
    unit = tree.require(query["org_unit"], "org_unit") if query.get("org_unit") else None
    return conditions.lookup(code, unit)


@blp.post("/import")
@blp.arguments(CatalogueImportForm, location="form")
@blp.arguments(CatalogueFile, location="files")
@blp.response(200, CatalogueImportOut)
@blp.alt_response(422, description="nothing imported; errors lists {row, field, message}")
def import_catalogue(form, upload):
    """Import the catalogue from CSV (administrators): a changed file becomes the next version."""
    actor = current.require_user()
    access.require_admin(actor, tree.root_unit())
    content = upload["file"].read()
    if not content.strip():
        raise InvalidInput("the file is empty", {"file": ["empty"]})
    version, created = conditions.import_csv(content, actor, form.get("comment"))
    return {"version": version.version, "created": created, "conditions": len(version.conditions)}


@blp.put("/overrides")
@blp.arguments(LocalityQuery, location="query")
@blp.arguments(OverridesIn)
@blp.response(200, CatalogueImportOut)
def save_overrides(query, body):
    """Set a locality's own time limits for conditions (its administrators)."""
    actor = current.require_user()
    access.require_admin(actor, tree.require(query["locality"], "locality"))
    count = conditions.save_overrides(query["locality"], body["items"], actor)
    version = conditions.latest()
    return {"version": version.version if version else 0, "created": False, "conditions": count}
