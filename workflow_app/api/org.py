"""The organisation tree."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from ..auth import current
from ..extensions import db
from ..models import OrgUnit
from .schemas import OrgUnitSchema

PREFIX = "/org-units"
blp = Blueprint("org", __name__, description="组织架构 Organisation")


class OrgQuery(Schema):
    level = fields.String(load_default=None)
    parent = fields.String(load_default=None)


@blp.get("")
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
