"""Logging in: a password check with back-off that holds across app nodes (failures are in the DB).

Failed logins slow down further tries instead of locking anyone out, counted three ways over
``WINDOW``:

- one account from one address: after ``PAIR_FREE`` failures each new try waits twice as long as
  the last (1 s, 2 s, 4 s… up to ``PAIR_MAX_WAIT``): guessing one password is slow;
- one address, all accounts: only after ``ADDRESS_FREE`` failures (a whole office behind one NAT
  mistypes less than that), up to ``ADDRESS_MAX_WAIT``: spraying passwords from one place is slow;
- one account, all addresses: only for addresses that have themselves failed on that account, so
  an attacker elsewhere cannot keep its owner (``admin``) out.

Refused tries are not counted, so waiting always ends. A successful login clears that address's
failures for the account.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from .. import audit, clock, uow
from ..errors import TooManyRequests, Unauthenticated
from ..extensions import db
from ..models import LoginAttempt, User
from . import passwords, tokens

WINDOW = timedelta(minutes=15)
PAIR_FREE, PAIR_MAX_WAIT = 5, 900
ADDRESS_FREE, ADDRESS_MAX_WAIT = 100, 300
ACCOUNT_FREE, ACCOUNT_MAX_WAIT = 20, 300
_DUMMY: dict[str, str] = {}  # a hash per method: unknown usernames take as long as wrong passwords


class Throttled(TooManyRequests):
    def __init__(self, wait: int):
        super().__init__(f"too many failed logins; try again in {wait} seconds",
                         {"retry_after": [str(wait)]})
        self.retry_after = wait


@dataclass(frozen=True)
class _Tally:
    count: int
    last: datetime | None

    def wait(self, free: int, cap: int, now: datetime) -> float:
        if self.count < free or self.last is None:
            return 0.0
        backoff = min(cap, 2 ** min(self.count - free, 20))
        return backoff - (now - self.last).total_seconds()


def _tally(*conditions) -> _Tally:
    count, last = db.session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(*conditions)).one()
    if isinstance(last, str):  # SQLite's max() of a datetime column
        last = datetime.fromisoformat(last)
    return _Tally(count or 0, clock.as_utc(last) if last else None)


def wait_seconds(username: str, remote_addr: str | None) -> int:
    """How long ``remote_addr`` must wait before trying ``username`` again (0: it may try now)."""
    now = clock.now()
    recent = LoginAttempt.at >= now - WINDOW
    pair = _tally(recent, LoginAttempt.username == username, LoginAttempt.remote_addr == remote_addr)
    waits = [pair.wait(PAIR_FREE, PAIR_MAX_WAIT, now)]
    if remote_addr:
        waits.append(_tally(recent, LoginAttempt.remote_addr == remote_addr).wait(ADDRESS_FREE, ADDRESS_MAX_WAIT, now))
    if pair.count:
        waits.append(_tally(recent, LoginAttempt.username == username).wait(ACCOUNT_FREE, ACCOUNT_MAX_WAIT, now))
    wait = max(waits)
    return int(wait) + (wait % 1 > 0) if wait > 0 else 0


def _dummy_hash() -> str:
    method = passwords.method()
    if method not in _DUMMY:
        _DUMMY[method] = passwords.hash_password("not a password")
    return _DUMMY[method]


def check_password(username: str, password: str, remote_addr: str | None) -> User:
    """The user, if the password is right and the back-off allows a try now; records failures."""
    wait = wait_seconds(username, remote_addr)
    if wait:
        raise Throttled(wait)
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    valid = passwords.verify(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.active or not valid:
        uow.run(lambda work: work.add(LoginAttempt(username=username[:64], remote_addr=remote_addr,
                                                   at=clock.now())))
        raise Unauthenticated("wrong username or password")
    uow.run(lambda work: work.session.execute(delete(LoginAttempt).where(
        LoginAttempt.username == username, LoginAttempt.remote_addr == remote_addr)))
    return user


def token_for(username: str, password: str, remote_addr: str | None, label: str | None = None,
              days: float | None = None) -> tokens.Issued:
    """Exchange a password for a new personal API token."""
    user = check_password(username, password, remote_addr)
    return uow.run(lambda work: _issue(user, label, days))


def _issue(user: User, label: str | None, days: float | None) -> tokens.Issued:
    issued = tokens.issue(user, label or "api", days)
    audit.record("token_issued", actor=user, subject=f"user:{user.username}",
                 detail={"token_id": issued.token.id, "expires_at": issued.token.expires_at.isoformat()})
    return issued
