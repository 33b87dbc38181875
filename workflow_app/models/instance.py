"""Running cases, what they wait for, and messages received from outside."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db

STATUSES = ("running", "completed", "error", "blocked", "suspended", "terminated")


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
    # The BPMN timers the case waits on, with their due times ([{engine_task_id, bpmn_id, name,
    # kind, attached_to, interrupting, due_at}], earliest first): kept on the case row, so a step
    # writes them with the case (no rows of their own to read and rewrite).
    pending_timers: Mapped[list | None] = mapped_column(JSONText)
    # A scheduler node claims due cases for a short lease, so nodes never work the same ones.
    timer_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the case waits for from outside, as last synced (the subscription rows change only
    # when this does): [[kind, name, bpmn_id, correlation_key], …].
    waiting: Mapped[list | None] = mapped_column(JSONText)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version = relationship("ProcessVersion", lazy="select")
    org_unit = relationship("OrgUnit", lazy="select")
    started_by = relationship("User", lazy="select")
    subscriptions = relationship("EventSubscription", lazy="select", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": revision}

    @property
    def timers(self) -> list["PendingTimer"]:
        return [PendingTimer.of(item) for item in self.pending_timers or []]


@dataclass(frozen=True)
class PendingTimer:
    """A BPMN timer a case waits on, with its absolute due time."""

    engine_task_id: str
    bpmn_id: str
    name: str | None
    kind: str
    attached_to: str | None
    interrupting: bool | None
    due_at: datetime | None

    @classmethod
    def of(cls, item: dict) -> "PendingTimer":
        due = item.get("due_at")
        return cls(item["engine_task_id"], item["bpmn_id"], item.get("name"), item.get("kind", "timer"),
                   item.get("attached_to"), item.get("interrupting"),
                   datetime.fromisoformat(due) if due else None)

    def as_item(self) -> dict:
        return {"engine_task_id": self.engine_task_id, "bpmn_id": self.bpmn_id, "name": self.name, "kind": self.kind,
                "attached_to": self.attached_to, "interrupting": self.interrupting,
                "due_at": self.due_at.isoformat() if self.due_at else None}


class EventSubscription(db.Model):
    """A message or signal a case waits for, with the values it correlates by (``correlation_key``:
    the canonical text of those values, so a message finds its case through an index)."""

    __tablename__ = "event_subscription"
    __table_args__ = (Index("ix_event_subscription_lookup", "kind", "name", "correlation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    correlation_key: Mapped[str] = mapped_column(String(500), default="")
    correlation: Mapped[dict | None] = mapped_column(JSONText)


class InboundEvent(db.Model):
    """A message or signal received from outside, by its caller-supplied id: a repeat is a no-op
    that answers what the first delivery did."""

    __tablename__ = "inbound_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[dict | None] = mapped_column(JSONText)
