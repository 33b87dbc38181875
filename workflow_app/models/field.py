"""What field work on the phone adds: reports sent once (an idempotency key per reporter), photos
taken at report time (bound to the case they started), and each person's saved inbox filters."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db


class StartRequest(db.Model):
    """A case started with an ``Idempotency-Key``: the same reporter sending the same key again gets
    this case back instead of a second one. ``fingerprint`` (sha256 of the request) tells a retry
    from a different request that reuses the key."""

    __tablename__ = "start_request"
    __table_args__ = (UniqueConstraint("user_id", "idem_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    idem_key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    instance = relationship("ProcessInstance", lazy="select")


class CaseFile(db.Model):
    """A file uploaded with the report that started a case (no task exists yet): bound to that case,
    served after the case's access check."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class SavedFilter(db.Model):
    """An inbox filter a person named and kept (the query string of the inbox)."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
