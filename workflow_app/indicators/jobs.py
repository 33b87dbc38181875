"""The scheduler job: roll up what was recorded since the last tick, then freeze the months that
ended more than the grace period ago. Safe on several nodes: a node that finds the stream's
cursor held by another skips the roll-up; freezing a month twice is refused by its key."""

from datetime import datetime

from . import closing, stream


def tick(now: datetime) -> dict:
    progress = stream.catch_up(max_seconds=20.0, wait=False)
    caught_up = progress.claimed and not stream.pending(now)
    frozen = closing.freeze_due(now) if caught_up else 0
    return {"facts": progress.facts, "derived": progress.derived, "frozen": frozen}
