"""Operations: scheduler heartbeats, and completed cases whose engine state retention compacted."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class SchedulerHeartbeat(db.Model):
    """One row per scheduler process: written at the end of every tick (``ops.heartbeats``)."""

    __tablename__ = "scheduler_heartbeat"

    node: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid, or WORKFLOW_NODE_NAME
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ticks: Mapped[int] = mapped_column(default=0)
    interval: Mapped[float] = mapped_column(default=5.0)  # seconds between this node's ticks


class RetainedCase(db.Model):
    """A completed case whose engine state was compacted by retention (``ops.retention``)."""

    __tablename__ = "retained_case"

    instance_id: Mapped[int] = mapped_column(primary_key=True)  # no FK: the case row is never deleted
    retained_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bytes_before: Mapped[int]
    bytes_after: Mapped[int]
