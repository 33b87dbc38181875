"""Tokens and the caller's identity.

``POST /auth/token`` exchanges a password for a personal token (login back-off applies);
``DELETE /auth/token`` revokes the token in use. ``/auth/tokens`` lists the caller's own tokens;
one can be rotated (a new token replaces it at once) or revoked by id.
"""

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current, login
from ..auth import tokens as token_store
from .schemas import Timestamp

PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="登录与令牌 Authentication")
_DAYS = fields.Float(load_default=None, validate=validate.Range(min=0, min_inclusive=False, max=3650),
                     metadata={"description": "lifetime in days (at most the platform's, 30 by default)"})


class Credentials(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    label = fields.String(load_default=None, validate=validate.Length(max=100))
    days = _DAYS


class TokenOut(Schema):
    token = fields.String(metadata={"description": "shown once; send it as 'Authorization: Bearer …'"})
    id = fields.Integer()
    label = fields.String(allow_none=True)
    expires_at = Timestamp(allow_none=True)


class TokenInfo(Schema):
    id = fields.Integer()
    label = fields.String(allow_none=True)
    created_at = Timestamp()
    expires_at = Timestamp(allow_none=True)
    revoked_at = Timestamp(allow_none=True)
    active = fields.Function(lambda t: token_store.live(t))
    current = fields.Function(lambda t: t.token_hash == token_store.digest(_bearer()))


class RotateIn(Schema):
    days = _DAYS


class AssignmentOut(Schema):
    role = fields.String(attribute="role_code")
    org_unit = fields.Function(lambda a: a.org_unit.code)
    org_unit_name = fields.Function(lambda a: a.org_unit.name_zh)


class WhoAmI(Schema):
    username = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(AssignmentOut), attribute="assignments")


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


@blp.post("/token")
@blp.arguments(Credentials)
@blp.response(200, TokenOut)
@blp.alt_response(429, description="too many failed logins from here or for this account: wait (Retry-After)")
def issue_token(body):
    """Exchange a username and password for a personal API token (it expires; login backs off)."""
    issued = login.token_for(body["username"], body["password"], request.remote_addr, body.get("label"),
                             body.get("days"))
    return _issued(issued)


def _issued(issued: token_store.Issued) -> dict:
    return {"token": issued.plain, "id": issued.token.id, "label": issued.token.label,
            "expires_at": issued.token.expires_at}


@blp.delete("/token")
@blp.response(204)
def revoke_token():
    """Revoke the token used for this request."""
    token_store.revoke_own(current.require_user(), plain=_bearer())


@blp.get("/tokens")
@blp.response(200, TokenInfo(many=True))
def list_tokens():
    """The caller's own tokens, newest first ("current" marks the one in use)."""
    return token_store.owned(current.require_user())


@blp.post("/tokens/<int:token_id>/rotate")
@blp.arguments(RotateIn)
@blp.response(201, TokenOut)
def rotate_token(body, token_id):
    """Replace one of the caller's live tokens with a new one; the old one stops working at once."""
    return _issued(token_store.rotate(current.require_user(), token_id, body.get("days")))


@blp.delete("/tokens/<int:token_id>")
@blp.response(204)
def revoke_token_by_id(token_id):
    """Revoke one of the caller's tokens."""
    token_store.revoke_own(current.require_user(), token_id=token_id)


@blp.get("/whoami")
@blp.response(200, WhoAmI)
def whoami():
    """The caller, with the roles they hold and where."""
    return current.require_user()
