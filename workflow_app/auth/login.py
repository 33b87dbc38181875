"""Logging in: password check with a rate limit that holds across app nodes (it is in the DB)."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from .. import audit, clock
from ..errors import TooManyRequests, Unauthenticated
from ..extensions import db
from ..models import LoginAttempt, User
from . import passwords, tokens

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 10
MAX_FAILURES_PER_ADDRESS = 50


def _recent_failures(username: str, remote_addr: str | None) -> tuple[int, int]:
    since = clock.now() - WINDOW
    per_user = db.session.scalar(
        select(func.count()).where(LoginAttempt.username == username, LoginAttempt.at >= since)
    )
    per_addr = 0
    if remote_addr:
        per_addr = db.session.scalar(
            select(func.count()).where(LoginAttempt.remote_addr == remote_addr, LoginAttempt.at >= since)
        )
    return per_user, per_addr


def check_password(username: str, password: str, remote_addr: str | None) -> User:
    """The user, if the password is right and the rate limit allows; commits failures."""
    per_user, per_addr = _recent_failures(username, remote_addr)
    if per_user >= MAX_FAILURES_PER_USER or per_addr >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyRequests("too many failed logins; try again in 15 minutes")
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active or not passwords.verify(user.password_hash, password):
        db.session.add(LoginAttempt(username=username, remote_addr=remote_addr, at=clock.now()))
        db.session.commit()
        raise Unauthenticated("wrong username or password")
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    return user


def token_for(username: str, password: str, remote_addr: str | None, label: str | None = None) -> str:
    """Exchange a password for a new personal API token."""
    user = check_password(username, password, remote_addr)
    _, plain = tokens.issue(user, label or "api")
    audit.record("token_issued", actor=user, subject=f"user:{user.username}")
    db.session.commit()
    return plain
