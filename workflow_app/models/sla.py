"""Business calendars per locality, facts about cases (SLA breaches and the like), notifications,
and the schedules of timer start events."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db
from .org import PathString


class CalendarSetting(db.Model):
    """A locality's working periods and time zone ('' = the platform default)."""

    __tablename__ = "calendar_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    locality: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    periods: Mapped[str] = mapped_column(String(200), default="08:00-12:00,14:00-18:00")


class CalendarDay(db.Model):
    """A locality's override of one date: a day off (workday False) or a working day (True)."""

    __tablename__ = "calendar_day"
    __table_args__ = (UniqueConstraint("locality", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locality: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date)
    workday: Mapped[bool]
    name: Mapped[str | None] = mapped_column(String(100))


class CaseFact(db.Model):
    """Something the indicators count: an SLA turning yellow or red, a pause, an extension, an urge,
    a late report-in, a return, a rework, a self-handled case, a case closed on time or late…"""

    __tablename__ = "case_fact"
    __table_args__ = (Index("ix_case_fact_unit", "unit_path", "at"), Index("ix_case_fact_kind", "kind", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    process_key: Mapped[str | None] = mapped_column(String(128))
    stage: Mapped[str | None] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    unit_path: Mapped[str | None] = mapped_column(PathString)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    detail: Mapped[dict | None] = mapped_column(JSONText)

    unit = relationship("OrgUnit", lazy="select")
    # Set through these, a fact of a case or task created in the same transaction gets its id at
    # the one flush of the commit (no early flush that would write the case row twice).
    instance = relationship("ProcessInstance", lazy="select")
    task = relationship("HumanTask", lazy="select")


class Notification(db.Model):
    """An in-app notification (other channels are plugged in beside it)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {"key": message id, "args": {...}}: read in each reader's language (``sla.wording``); older rows
    # have none and are read from their Chinese text
    params: Mapped[dict | None] = mapped_column(JSONText)


class StartSchedule(db.Model):
    """When a timer start event next starts its process for one org unit."""

    __tablename__ = "start_schedule"
    __table_args__ = (UniqueConstraint("process_key", "event_id", "unit_id"),
                      Index("ix_start_schedule_due", "active", "next_run_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    expression: Mapped[str] = mapped_column(Text)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    unit = relationship("OrgUnit", lazy="select")
