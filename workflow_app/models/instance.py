"""Running cases and their waiting timers."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db

STATUSES = ("running", "completed", "error", "suspended", "terminated")


class ProcessInstance(db.Model):
    """One case. ``state`` is the engine's serialised workflow *without* its spec, as text;
    ``revision`` is the optimistic-concurrency counter (every save bumps it)."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_due", "status", "next_timer_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    # The engine state is only read when the in-memory run for this revision is not cached.
    state: Mapped[str] = mapped_column(Text, deferred=True)
    revision: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict] = mapped_column(JSONText, default=dict, deferred=True)
    error: Mapped[dict | None] = mapped_column(JSONText)
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version = relationship("ProcessVersion", lazy="select")
    org_unit = relationship("OrgUnit", lazy="select")
    started_by = relationship("User", lazy="select")
    timers = relationship(
        "PendingTimer", lazy="select", cascade="all, delete-orphan", order_by="PendingTimer.due_at"
    )

    __mapper_args__ = {"version_id_col": revision}


class PendingTimer(db.Model):
    """A BPMN timer the engine is waiting on, with its absolute due time (indexed)."""

    __tablename__ = "pending_timer"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    engine_task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    attached_to: Mapped[str | None] = mapped_column(String(128))
    interrupting: Mapped[bool | None]
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
