"""Deployed process versions and their files. Content never changes after insert."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db


class ProcessVersion(db.Model):
    """Version ``version`` of process ``key`` for ``locality`` ('' = platform-wide default).

    ``spec_json`` is the engine's serialised spec (stored once per version, never per instance);
    ``manifest`` is what the platform needs without the engine: lanes, user tasks, forms.

    A locality variant is an overlay: ``base_id`` is the parent version it overlays (the default's,
    or the nearest ancestor locality's), its files are the merged bundle, and those it does not
    change itself are marked ``inherited``. A variant deployed before overlays existed has no
    base: a full copy, until it is rebased."""

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
    base_id: Mapped[int | None] = mapped_column()  # no constraint: versions are never deleted

    files = relationship("ProcessFile", lazy="select", order_by="ProcessFile.name")
    base = relationship("ProcessVersion", primaryjoin="foreign(ProcessVersion.base_id) == remote(ProcessVersion.id)",
                        lazy="select", viewonly=True)

    @property
    def own_files(self) -> list:
        """The files this version holds itself (a variant's changes; every file of a default)."""
        return [f for f in self.files if not f.inherited]


class ProcessFile(db.Model):
    __tablename__ = "process_file"
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # Taken unchanged from the base version (variants only).
    inherited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
