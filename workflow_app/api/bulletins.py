"""月度通报 Bulletins: a county's month as JSON, as a printable PDF and as an XLSX workbook."""

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth import current
from ..indicators import service

PREFIX = "/bulletins"
blp = Blueprint("bulletins", __name__, description="月度通报 Monthly bulletins")

BINARY = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BulletinOut(Schema):
    class Meta:
        unknown = "include"

    county = fields.String()
    county_name = fields.String()
    period = fields.String()
    period_label = fields.String()
    title = fields.String()
    as_of = fields.String()
    closed = fields.Boolean()
    frozen = fields.Boolean()
    frozen_at = fields.String(allow_none=True)
    generated_at = fields.String()
    definitions_version = fields.Integer()
    definitions = fields.List(fields.Dict())
    indicators = fields.Dict()
    settings = fields.Dict()
    headline = fields.List(fields.Dict())
    total = fields.Dict()
    rankings = fields.Dict(metadata={"description": "town, community, grid, department: {label, rows}"})
    overdue_cases = fields.List(fields.Dict())
    categories = fields.List(fields.Dict())
    trend = fields.Dict()
    adjustments = fields.List(fields.Dict())


def _file(county: str, month: str, kind: str) -> Response:
    content, mimetype, name = service.bulletin_file(current.require_user(), county, month, kind)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.get("/<county>/<month>.pdf")
@blp.alt_response(200, schema=BINARY, content_type="application/pdf", description="the PDF", success=True)
def bulletin_pdf(county, month):
    """The month's bulletin as a printable PDF (charts drawn, Chinese text in an embedded font)."""
    return _file(county, month, "pdf")


@blp.get("/<county>/<month>.xlsx")
@blp.alt_response(200, schema=BINARY, content_type=XLSX, description="the workbook", success=True)
def bulletin_xlsx(county, month):
    """The month's bulletin as an XLSX workbook (a sheet per ranking, native charts)."""
    return _file(county, month, "xlsx")


@blp.get("/<county>/<month>")
@blp.response(200, BulletinOut)
def bulletin(county, month):
    """The month's bulletin of a county (YYYY-MM): headline figures, rankings with their change,
    the worst overdue cases, the trend and the categories. An ended month is frozen first."""
    return service.bulletin_json(current.require_user(), county, month)
