"""The append-only audit trail. Database triggers refuse UPDATE and DELETE on this table."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None]
    actor: Mapped[str | None] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(index=True)
    human_task_id: Mapped[int | None]
    engine_task_id: Mapped[str | None] = mapped_column(String(36))
    task_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200), index=True)
    changed_keys: Mapped[list | None] = mapped_column(JSONText)
    detail: Mapped[dict | None] = mapped_column(JSONText)
