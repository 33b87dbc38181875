"""Tokens and the caller's identity."""

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current, login
from ..auth import tokens as token_store
from ..extensions import db
from ..models import ApiToken

PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="登录与令牌 Authentication")


class Credentials(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    label = fields.String(load_default=None, validate=validate.Length(max=100))


class TokenOut(Schema):
    token = fields.String()


class AssignmentOut(Schema):
    role = fields.String(attribute="role_code")
    org_unit = fields.Function(lambda a: a.org_unit.code)
    org_unit_name = fields.Function(lambda a: a.org_unit.name_zh)


class WhoAmI(Schema):
    username = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(AssignmentOut), attribute="assignments")


@blp.post("/token")
@blp.arguments(Credentials)
@blp.response(200, TokenOut)
def issue_token(body):
    """Exchange a username and password for a personal API token (rate-limited)."""
    token = login.token_for(body["username"], body["password"], request.remote_addr, body.get("label"))
    return {"token": token}


@blp.delete("/token")
@blp.response(204)
def revoke_token():
    """Revoke the token used for this request."""
    user = current.require_user()
    plain = request.headers.get("Authorization", "")[7:].strip()
    token = db.session.query(ApiToken).filter_by(token_hash=token_store._digest(plain), user_id=user.id).one()
    token_store.revoke(token)
    db.session.commit()


@blp.get("/whoami")
@blp.response(200, WhoAmI)
def whoami():
    """The caller, with the roles they hold and where."""
    return current.require_user()
