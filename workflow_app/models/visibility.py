"""Grants of field classes of one case to one person for a while (an evaluation sample)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class VisibilityGrant(db.Model):
    """``user`` may see ``field_class`` of case ``instance_id`` until ``expires_at``.

    Written by the services that need it (the third-party evaluation sample: an evaluator gets a
    sampled case's phone while the callback is due); read by ``org.visibility`` for rules whose
    scope is ``sample``. Expired rows grant nothing; revoking sets ``revoked_at``."""

    __tablename__ = "visibility_grant"
    __table_args__ = (Index("ix_visibility_grant_lookup", "user_id", "instance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    field_class: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(200))
    granted_by: Mapped[str | None] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
