"""Open and finished human tasks, denormalised for inbox queries.

Rows are written in the same transaction as the engine state they mirror."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db
from .org import PathString

OPEN = "open"
COMPLETED = "completed"
CANCELLED = "cancelled"


class HumanTask(db.Model):
    __tablename__ = "human_task"
    __table_args__ = (
        # Inbox: eligible tasks by role and scope, ordered by due time.
        Index("ix_human_task_inbox", "state", "role", "scope_path", "due_at"),
        # Inbox: tasks claimed by / assigned to a user, ordered by due time.
        Index("ix_human_task_assignee", "assignee_id", "state", "due_at"),
        Index("ix_human_task_instance", "instance_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    engine_task_id: Mapped[str] = mapped_column(String(36))
    process_key: Mapped[str] = mapped_column(String(128))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(64))
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    scope_path: Mapped[str | None] = mapped_column(PathString)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    form: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_state: Mapped[str | None] = mapped_column(String(8))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    properties: Mapped[dict | None] = mapped_column(JSONText)

    instance = relationship("ProcessInstance", lazy="select")
    scope_unit = relationship("OrgUnit", lazy="select")
    assignee = relationship("User", lazy="select", foreign_keys=[assignee_id])

    @property
    def is_open(self) -> bool:
        return self.state == OPEN
