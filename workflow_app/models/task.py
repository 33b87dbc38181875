"""Open and finished human tasks, denormalised for inbox queries.

Rows are written in the same transaction as the engine state they mirror."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db
from .org import PathString

OPEN = "open"
COMPLETED = "completed"
CANCELLED = "cancelled"
UNCLAIMED_OPEN = "state = 'open' AND assignee_id IS NULL"
# The open state as SQL text, not a bound parameter: planners match it to the partial index.
OPEN_SQL = literal_column("'open'")


class HumanTask(db.Model):
    __tablename__ = "human_task"
    __table_args__ = (
        # Inbox: unclaimed open tasks by role and scope, in due order. Partial, so it holds only the
        # rows an inbox can show; queries must spell the state as the literal 'open' to use it.
        Index("ix_human_task_unclaimed", "role", "scope_path", "due_at",
              sqlite_where=text(UNCLAIMED_OPEN), postgresql_where=text(UNCLAIMED_OPEN)),
        # Inbox: tasks claimed by / assigned to a user, ordered by due time.
        Index("ix_human_task_assignee", "assignee_id", "state", "due_at"),
        Index("ix_human_task_instance", "instance_id", "state"),
        # SLA sweep: open tasks whose clock is about to change colour.
        Index("ix_human_task_warn", "sla_state", "warn_at", sqlite_where=text("state = 'open'"),
              postgresql_where=text("state = 'open'")),
        Index("ix_human_task_due", "sla_state", "due_at", sqlite_where=text("state = 'open'"),
              postgresql_where=text("state = 'open'")),
        # Supervision: open tasks in an org subtree.
        Index("ix_human_task_scope", "state", "scope_path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    engine_task_id: Mapped[str] = mapped_column(String(36))
    process_key: Mapped[str] = mapped_column(String(128))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str | None] = mapped_column(String(100))  # the model's ``stage`` property, else the name
    lane: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(64))
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    scope_path: Mapped[str | None] = mapped_column(PathString)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    form: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))  # in English (``cases.sync.case_title_en``)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_state: Mapped[str | None] = mapped_column(String(8))  # green, yellow, red, paused
    # The limit and its clock: amount and unit (calendar units), when the clock started, when it
    # turns yellow; while paused, what was left (in the same unit).
    sla_amount: Mapped[float | None]
    sla_unit: Mapped[str | None] = mapped_column(String(20))
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remaining: Mapped[float | None]
    warn_remaining: Mapped[float | None]
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    properties: Mapped[dict | None] = mapped_column(JSONText)
    # Claims, releases, delegations and completions race on this row: each bumps the version.
    row_version: Mapped[int] = mapped_column(default=1)

    instance = relationship("ProcessInstance", lazy="select")
    scope_unit = relationship("OrgUnit", lazy="select")
    assignee = relationship("User", lazy="select", foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def is_open(self) -> bool:
        return self.state == OPEN
