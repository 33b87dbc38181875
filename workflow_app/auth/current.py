"""The user behind the current request (Bearer token for the API, session for the web UI)."""

from flask import g, request

from ..errors import Unauthenticated
from ..models import User
from . import tokens


def _from_request() -> User | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return tokens.resolve(header[7:].strip())
    return None


def user() -> User | None:
    if "current_user" not in g:
        g.current_user = _from_request()
    return g.current_user


def require_user() -> User:
    found = user()
    if found is None:
        raise Unauthenticated("a valid Bearer token is required")
    return found
