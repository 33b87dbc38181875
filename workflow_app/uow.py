"""One unit of work per action: load, act, sync, audit, then commit once.

Every service action that changes state runs through ``run``::

    def claim(task_id, actor):
        return uow.run(lambda work: _claim(work, task_id, actor))

The action gets the ``UnitOfWork`` and never commits. ``run`` commits once at the end, rolls back
on any error and runs the action again when it raced another writer (a version conflict on a
case or task row, a deadlock, a lock timeout): that is not the user's problem. Only when the
action itself no longer applies (the task is not open any more) does the caller see a conflict,
raised by the action on its retry.

Nesting: an action that calls another service's public function joins the running unit of work
(one transaction, one commit); services that are always called inside one take ``work``.

Follow-ups: an effect on *another* case (an approved extension moving a task's clock) is queued
with ``work.follow_up(fn)`` and runs after the main action, in the same transaction, so one case's
sync never re-enters another's.

SQLite: a write transaction starts with ``BEGIN IMMEDIATE``, so a writer waits for the lock
(``busy_timeout``) instead of failing on its first write after reading. Work that evaluates
designer-authored code (the engine) runs in ``work.reading()``: a deferred read transaction that
ends before the writes begin, so nobody's write lock is held while scripts run.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from .errors import Busy
from .extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

_PG_RETRYABLE = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
_CURRENT: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar("workflow_uow", default=None)
# How the next SQLite transaction begins: "IMMEDIATE" inside a unit of work, else deferred.
BEGIN_MODE: contextvars.ContextVar[str] = contextvars.ContextVar("workflow_begin_mode", default="")
MAX_FOLLOW_UPS = 100
_AUDIT_PENDING = "workflow_app.audit_pending"  # audit.record's queue in session.info


class UnitOfWork:
    """The transaction of one action, its queued follow-ups and its after-commit hooks."""

    def __init__(self):
        self.session = db.session
        self._follow_ups: list[Callable[[UnitOfWork], Any]] = []
        self._after_commit: list[Callable[[], Any]] = []

    def add(self, obj) -> None:
        self.session.add(obj)

    def flush(self) -> None:
        self.session.flush()

    def follow_up(self, fn: Callable[[UnitOfWork], Any]) -> None:
        """Run ``fn(work)`` after the main action, before the commit (effects on other cases)."""
        self._follow_ups.append(fn)

    def after_commit(self, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(fn)

    @contextlib.contextmanager
    def reading(self):
        """Load and compute without taking the write lock: a deferred read transaction on SQLite
        that is closed on exit, so the writes that follow begin their own (IMMEDIATE) one.
        Nothing may be flushed inside; objects loaded here stay usable (they are not expired),
        and their version columns catch anyone who changed them in between."""
        session = self.session
        written = session.new or session.dirty or session.deleted or session.info.get(_AUDIT_PENDING)
        if written or not _sqlite():
            # PostgreSQL: plain reads take no locks; one transaction does it all. Or part of a
            # larger action that has written already: its lock is held; compute in place.
            with self.session.no_autoflush:
                yield self
            return
        _end_transaction()
        token = BEGIN_MODE.set("")
        try:
            with self.session.no_autoflush:
                yield self
        finally:
            BEGIN_MODE.reset(token)
        _end_transaction()

    def _drain(self) -> None:
        for _ in range(MAX_FOLLOW_UPS):
            if not self._follow_ups:
                return
            follow_up = self._follow_ups.pop(0)
            follow_up(self)
        raise RuntimeError("follow-up effects did not settle (a cycle between cases?)")

    def _committed(self) -> None:
        for fn in self._after_commit:
            try:
                fn()
            except Exception:  # the action is committed; a failing hook must not undo its answer
                log.exception("after-commit hook failed")


def _end_transaction() -> None:
    """Close a transaction that only read (keeps loaded objects; expire_on_commit is off)."""
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            session.flush()
        session.commit()


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def current() -> UnitOfWork | None:
    return _CURRENT.get()


def is_retryable(error: Exception) -> bool:
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, OperationalError | DBAPIError):
        code = getattr(getattr(error, "orig", None), "sqlstate", None)
        if code in _PG_RETRYABLE:
            return True
        text = str(getattr(error, "orig", error)).lower()
        return "database is locked" in text or "database table is locked" in text or "busy" in text
    return False


def run(action: Callable[[UnitOfWork], T], attempts: int | None = None) -> T:
    """Run ``action(work)`` as one transaction and commit it; retry it when it races."""
    outer = _CURRENT.get()
    if outer is not None:
        return action(outer)  # part of a larger action: its commit is the outer one's
    attempts = attempts or current_app.config.get("INSTANCE_RETRY_ATTEMPTS", 8)
    session = db.session
    for attempt in range(1, attempts + 1):
        work = UnitOfWork()
        if _sqlite():
            _end_transaction()  # SQLite: a route's read transaction must end so ours begins IMMEDIATE
        token, mode = _CURRENT.set(work), BEGIN_MODE.set("IMMEDIATE")
        try:
            result = action(work)
            work._drain()
            session.commit()
        except Exception as error:
            session.rollback()
            if not is_retryable(error):
                raise
            log.info("retrying after %s (attempt %d of %d)", type(error).__name__, attempt, attempts)
            time.sleep(min(0.25, 0.005 * 2 ** attempt) * random.random())
            continue
        finally:
            BEGIN_MODE.reset(mode)
            _CURRENT.reset(token)
        work._committed()
        return result
    raise Busy("the case is busy with other changes; please try again")
