"""Running a service action as one transaction, retried when it races another writer.

A version conflict on a process instance (two people finishing different tasks of one case at
the same moment) or a lock error from the database is not the user's problem: the action is
rolled back and run again on fresh state. Only when the action itself no longer applies (the
task is no longer open) does the caller see a conflict, raised by the action on its retry.
"""

import logging
import random
import time

from flask import current_app
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from .errors import Busy
from .extensions import db

log = logging.getLogger(__name__)

_PG_RETRYABLE = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def is_retryable(error: Exception) -> bool:
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, OperationalError | DBAPIError):
        code = getattr(getattr(error, "orig", None), "sqlstate", None)
        if code in _PG_RETRYABLE:
            return True
        text = str(getattr(error, "orig", error)).lower()
        return "database is locked" in text or "database table is locked" in text
    return False


def run(action, attempts: int | None = None):
    """Call ``action()`` (which commits) until it succeeds or stops racing; roll back on error."""
    attempts = attempts or current_app.config.get("INSTANCE_RETRY_ATTEMPTS", 8)
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as error:
            db.session.rollback()
            if not is_retryable(error):
                raise
            log.info("retrying after %s (attempt %d of %d)", type(error).__name__, attempt, attempts)
            time.sleep(min(0.2, 0.005 * 2 ** attempt) * random.random())
    raise Busy("the case is busy with other changes; please try again")
