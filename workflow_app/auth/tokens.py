"""Personal API tokens: random, shown once, stored as SHA-256, revocable."""

import hashlib
import secrets

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import ApiToken, User

PREFIX = "wft_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, label: str | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` (no commit). The plain token is returned only here."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_digest(plain), label=label, created_at=clock.now())
    db.session.add(token)
    db.session.flush()
    return token, plain


def resolve(plain: str) -> User | None:
    """The active user behind a live token, or None."""
    if not plain or not plain.startswith(PREFIX):
        return None
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(plain))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token.user


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
