"""Deployed process versions and their files. Content never changes after insert."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db


class ProcessVersion(db.Model):
    """Version ``version`` of process ``key`` for ``locality`` ('' = platform-wide default).

    ``spec_json`` is the engine's serialised spec (stored once per version, never per instance);
    ``manifest`` is what the platform needs without the engine: lanes, user tasks, forms."""

    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("key", "locality", "version"),
        Index("ix_process_version_lookup", "key", "status", "locality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    locality: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int]
    name: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    comment: Mapped[str | None] = mapped_column(Text)
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_by: Mapped[str | None] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Large and already cached per process: loaded only on a cache miss.
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    manifest: Mapped[dict] = mapped_column(JSONText, deferred=True)

    files = relationship("ProcessFile", lazy="select", order_by="ProcessFile.name")


class ProcessFile(db.Model):
    __tablename__ = "process_file"
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
