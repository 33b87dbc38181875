"""The one place that reads the current time.

Everything in the platform asks ``clock.now()``; tests move time with time-machine, which also
moves the engine's own timer clock (it calls ``datetime.now(timezone.utc)``).
"""

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Normalise a datetime to aware UTC; naive values are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
