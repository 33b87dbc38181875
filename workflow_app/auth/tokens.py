"""Personal API tokens: random, shown once, stored as SHA-256; they expire, and their owner lists,
rotates and revokes them.

Lifetime: ``API_TOKEN_DAYS`` (30 by default); a caller may ask for a shorter one. Tokens made
before tokens expired have no expiry until they are rotated or revoked.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from .. import audit, clock, uow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..models import ApiToken, User

PREFIX = "wft_"


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    plain: str  # shown once, never stored


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


_digest = digest  # the name older callers use


def lifetime(days: float | None = None) -> timedelta:
    limit = float(current_app.config.get("API_TOKEN_DAYS", 30))
    if days is not None and not 0 < days <= limit:
        raise InvalidInput(f"a token may last from a moment to {limit:g} days", {"days": [f"0 < days <= {limit:g}"]})
    return timedelta(days=days if days is not None else limit)


def issue(user: User, label: str | None = None, days: float | None = None) -> Issued:
    """A new token for ``user`` (inside the caller's unit of work). The plain token is returned only here."""
    plain = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=user.id, token_hash=digest(plain), label=label, created_at=now,
                     expires_at=now + lifetime(days))
    db.session.add(token)
    db.session.flush()
    return Issued(token, plain)


def live(token: ApiToken | None) -> bool:
    if token is None or token.revoked_at is not None or not token.user.active:
        return False
    return token.expires_at is None or clock.now() < clock.as_utc(token.expires_at)


def find(plain: str) -> ApiToken | None:
    if not plain or not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    return db.session.execute(select(ApiToken).where(ApiToken.token_hash == digest(plain))).scalar_one_or_none()


def resolve(plain: str) -> User | None:
    """The active user behind a live (unexpired, unrevoked) token, or None."""
    token = find(plain)
    return token.user if live(token) else None


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()


def owned(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included, marked as such)."""
    return list(db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()).limit(200)).scalars())


def _own(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"no token {token_id}")  # another person's token is not even confirmed to exist
    return token


def revoke_own(user: User, token_id: int | None = None, plain: str | None = None) -> ApiToken:
    """Revoke one of ``user``'s tokens, by id or by its plain value (the one in use)."""
    def action(work):
        token = _own(user, token_id) if token_id is not None else find(plain or "")
        if token is None or token.user_id != user.id:
            raise NotFound("no such token")
        if token.revoked_at is None:
            revoke(token)
            audit.record("token_revoked", actor=user, subject=f"user:{user.username}", detail={"token_id": token.id})
        return token

    return uow.run(action)


def rotate(user: User, token_id: int, days: float | None = None) -> Issued:
    """Replace a live token of ``user``'s with a new one (same label); the old one stops working now."""
    def action(work):
        old = _own(user, token_id)
        if not live(old):
            raise InvalidInput(f"token {token_id} is revoked or expired; log in for a new one",
                               {"token_id": ["not live"]})
        revoke(old)
        issued = issue(user, old.label, days)
        audit.record("token_rotated", actor=user, subject=f"user:{user.username}",
                     detail={"from": old.id, "to": issued.token.id})
        return issued

    return uow.run(action)
