"""Scheduler heartbeats: every tick, each scheduler process writes its row (a job in
``create_app._tick_jobs``, so a beat means a whole tick went through). Readiness wants a recent
one; the operations page shows each node and flags the stale ones. Rows of nodes gone for a day
are removed by the others."""

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from .. import clock, uow
from ..extensions import db
from ..models import SchedulerHeartbeat
from . import settings

FORGET_AFTER = timedelta(days=1)
_STARTED: dict = {}


def _started_at() -> datetime:
    return _STARTED.setdefault(os.getpid(), clock.now())


def beat(now) -> int:
    """Record this scheduler's tick at ``now``; returns 1 (the tick report counts it)."""
    node = settings.node_name()
    interval = float(current_app.config.get("SCHEDULER_INTERVAL", 5))

    def action(work):
        row = db.session.get(SchedulerHeartbeat, node)
        if row is None:
            row = SchedulerHeartbeat(node=node, host=socket.gethostname()[:100], pid=os.getpid(),
                                     started_at=_started_at(), ticks=0)
            work.add(row)
        row.beat_at, row.ticks, row.interval = now, (row.ticks or 0) + 1, interval
        db.session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.beat_at < now - FORGET_AFTER,
                                                            SchedulerHeartbeat.node != node),
                           execution_options={"synchronize_session": False})

    uow.run(action)
    return 1


@dataclass
class Node:
    node: str
    host: str
    pid: int
    started_at: datetime
    beat_at: datetime
    ticks: int
    age: float  # seconds since the last beat
    stale: bool


def stale_after() -> float:
    return settings.number("HEARTBEAT_STALE")


def nodes(now=None) -> list[Node]:
    """Every scheduler seen in the last day, newest beat first."""
    now = now or clock.now()
    limit = stale_after()
    rows = db.session.execute(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.beat_at.desc())).scalars()
    found = []
    for row in rows:
        age = max(0.0, (now - clock.as_utc(row.beat_at)).total_seconds())
        found.append(Node(row.node, row.host, row.pid, clock.as_utc(row.started_at), clock.as_utc(row.beat_at),
                          row.ticks, round(age, 1), age > limit))
    return found
