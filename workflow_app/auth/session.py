"""Web sessions: a signed cookie holding the user id and a stamp of their password hash, so
changing a password logs out every session."""

import hashlib

from flask import g, session

from ..extensions import db
from ..models import User


def _stamp(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def log_in(user: User) -> None:
    session.clear()
    session["uid"], session["stamp"] = user.id, _stamp(user)
    session.permanent = True


def log_out() -> None:
    session.clear()


def user() -> User | None:
    if "session_user" not in g:
        found = db.session.get(User, session["uid"]) if "uid" in session else None
        if found is not None and (not found.active or session.get("stamp") != _stamp(found)):
            found = None
        g.session_user = found
    return g.session_user
