"""Designers' drafts: a bundle being edited, validated and test-run before it is published as a
process version. A draft is never live: nothing runs it but its own sandboxed test runs."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db


class ProcessDraft(db.Model):
    """A draft of process ``key`` for ``locality`` ('' = platform-wide), started from ``base_id``
    (the version it edits; none for a new process). ``status``: draft, published, discarded.
    ``validation`` is the last check ({sha256, ok, problems, warnings}); ``test_run`` the last test
    run's sandbox ({sha256, state, path, status, …}): engine state kept here, never as a case."""

    __tablename__ = "process_draft"
    __table_args__ = (Index("ix_process_draft_key", "key", "locality", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(128))
    locality: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str | None] = mapped_column(String(200))
    base_id: Mapped[int | None] = mapped_column()  # no constraint: versions are never deleted
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    validation: Mapped[dict | None] = mapped_column(JSONText)
    test_run: Mapped[dict | None] = mapped_column(JSONText, deferred=True)
    comment: Mapped[str | None] = mapped_column(Text)
    published_version_id: Mapped[int | None] = mapped_column()
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    files = relationship("ProcessDraftFile", lazy="select", order_by="ProcessDraftFile.name",
                         cascade="all, delete-orphan")
    base = relationship("ProcessVersion", primaryjoin="foreign(ProcessDraft.base_id) == remote(ProcessVersion.id)",
                        lazy="select", viewonly=True)


class ProcessDraftFile(db.Model):
    __tablename__ = "process_draft_file"
    __table_args__ = (UniqueConstraint("draft_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("process_draft.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
