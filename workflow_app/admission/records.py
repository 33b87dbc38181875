"""The tables of item-entry admission (工作事项准入): admitted items with their versions, each
target unit's list (事项清单) as numbered versions, the applications in the admission process,
and each county's enforcement settings. Written through ``uow.run`` by the services beside this
module (and migration 0008); nothing here commits."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db

LISTS = ("duty", "assist")  # 依法履职, 协助办理 (the negative list is what screening refuses)
LIST_NAMES = {"duty": ("依法履职", "Own duties"), "assist": ("协助办理", "Assisting")}
STATUSES = ("admitted", "withdrawn", "expired")
DEFAULT_LEVELS = ("community", "grid")
DEFAULT_EXEMPT = ("event_handling",)


class AdmittedItem(db.Model):
    """An item admitted to the work lists of its target units (``units``: [{unit, levels}])."""

    __tablename__ = "admission_item"
    __table_args__ = (UniqueConstraint("county_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    list: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    basis: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str | None] = mapped_column(Text)
    units: Mapped[list] = mapped_column(JSONText)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    withdrawn_from: Mapped[date | None] = mapped_column(Date)  # new work is refused from this date
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the expiry was recorded
    resources: Mapped[dict | None] = mapped_column(JSONText)
    workload: Mapped[int | None]  # expected tasks per month per unit
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(default=1)

    department = relationship("OrgUnit", foreign_keys=[department_id], lazy="joined")
    versions = relationship("ItemVersion", back_populates="item", order_by="ItemVersion.version",
                            lazy="select", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": row_version}

    def status_on(self, day: date) -> str:
        if self.withdrawn_from is not None and day >= self.withdrawn_from:
            return "withdrawn"
        if self.valid_to is not None and day > self.valid_to:
            return "expired"
        return "admitted"

    def in_force_on(self, day: date) -> bool:
        return self.status_on(day) == "admitted" and self.valid_from <= day


class ItemVersion(db.Model):
    """One version of an item: what it was after a decision, an import, a withdrawal or expiry."""

    __tablename__ = "admission_item_version"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("admission_item.id"), index=True)
    version: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))  # admitted, changed, imported, withdrawn, expired
    snapshot: Mapped[dict] = mapped_column(JSONText)
    decision: Mapped[dict | None] = mapped_column(JSONText)  # decision, reason, changes, opinions
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    actor: Mapped[str | None] = mapped_column(String(64))

    item = relationship("AdmittedItem", back_populates="versions")
    instance = relationship("ProcessInstance", lazy="select")


class ListEntry(db.Model):
    """A change to one target unit's list of admitted items: version ``version`` of that list."""

    __tablename__ = "admission_list_entry"
    __table_args__ = (UniqueConstraint("unit_id", "version"), Index("ix_admission_list_entry_item", "item_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    version: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    item_id: Mapped[int] = mapped_column(ForeignKey("admission_item.id"))
    change: Mapped[str] = mapped_column(String(20))  # added, changed, removed, expired
    effective: Mapped[date] = mapped_column(Date)
    levels: Mapped[list | None] = mapped_column(JSONText)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))

    unit = relationship("OrgUnit", lazy="joined")
    item = relationship("AdmittedItem", lazy="joined")
    instance = relationship("ProcessInstance", lazy="select")


class Application(db.Model):
    """An application in the admission process, and where it stands."""

    __tablename__ = "admission_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    item_code: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    units: Mapped[list | None] = mapped_column(JSONText)
    valid_from: Mapped[str | None] = mapped_column(String(10))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    instance = relationship("ProcessInstance", lazy="joined")
    department = relationship("OrgUnit", foreign_keys=[department_id], lazy="joined")


class AdmissionSetting(db.Model):
    """A county's enforcement: the levels whose tasks need an admitted item, the exempt processes."""

    __tablename__ = "admission_setting"

    county_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    levels: Mapped[list] = mapped_column(JSONText)
    exempt: Mapped[list] = mapped_column(JSONText)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(64))
