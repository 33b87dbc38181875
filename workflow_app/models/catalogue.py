"""The event catalogue (事件部件立案标准): versions, conditions, locality overrides, and an index of
filed cases for duplicate hints."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db


class CatalogueVersion(db.Model):
    """One imported catalogue; the newest applies to new cases, which keep a copy of their condition."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)

    conditions = relationship("CatalogueCondition", lazy="select", order_by="CatalogueCondition.code")


class CatalogueCondition(db.Model):
    """A filing condition (立案条件) under class → category → sub-category, with its time limit,
    closing condition and the type of department responsible."""

    __tablename__ = "catalogue_condition"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_version.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))  # 部件 or 事件
    category_code: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(100))
    subcategory_code: Mapped[str] = mapped_column(String(16))
    subcategory: Mapped[str] = mapped_column(String(100))
    condition: Mapped[str] = mapped_column(String(300))
    time_limit: Mapped[float]
    time_unit: Mapped[str] = mapped_column(String(20))
    closing_condition: Mapped[str] = mapped_column(String(300))
    # the catalogue's own English (optional CSV columns of the same names); the Chinese where none
    category_en: Mapped[str | None] = mapped_column(String(100))
    subcategory_en: Mapped[str | None] = mapped_column(String(100))
    condition_en: Mapped[str | None] = mapped_column(String(300))
    closing_condition_en: Mapped[str | None] = mapped_column(String(300))
    department_type: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))


class CatalogueOverride(db.Model):
    """A locality's own time limit for a condition (a town may set shorter limits)."""

    __tablename__ = "catalogue_override"
    __table_args__ = (UniqueConstraint("locality", "condition_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locality: Mapped[str] = mapped_column(String(64), index=True)
    condition_code: Mapped[str] = mapped_column(String(32))
    time_limit: Mapped[float]
    time_unit: Mapped[str] = mapped_column(String(20))


class EventCase(db.Model):
    """What a filed event is about, and where: for duplicate hints (重复件) and statistics."""

    __tablename__ = "event_case"
    __table_args__ = (Index("ix_event_case_lookup", "subcategory_code", "reported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    condition_code: Mapped[str] = mapped_column(String(32))
    subcategory_code: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    instance = relationship("ProcessInstance", lazy="select")
