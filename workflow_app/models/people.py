"""Users, their role assignments, and their API tokens."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db


class User(db.Model):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    assignments = relationship(
        "RoleAssignment", back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    def roles(self) -> set[str]:
        return {a.role_code for a in self.assignments}


class RoleAssignment(db.Model):
    """A role held at an org unit: the user acts for that unit and everything under it."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role_code", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role_code: Mapped[str] = mapped_column(ForeignKey("role.code"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)

    user = relationship("User", back_populates="assignments")
    org_unit = relationship("OrgUnit", lazy="joined")


class ApiToken(db.Model):
    """A personal API token: expires, can be rotated and revoked by its owner. Only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None only for tokens made before expiry

    user = relationship("User", lazy="joined")


class LoginAttempt(db.Model):
    """Failed logins, for rate limiting that holds across app nodes."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_pair", "username", "remote_addr", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
