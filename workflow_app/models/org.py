"""The organisation tree and the role table."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db

LEVELS = ("county", "town", "community", "grid", "micro_grid")
KINDS = ("area", "department", "external")
GRID_TYPES = ("重点", "服务", "联络")

# A materialized path compares byte-wise on every database (no locale surprises in prefix ranges).
PathString = String(1024).with_variant(
    String(1024, collation="C"), "postgresql"
)


class OrgUnit(db.Model):
    """A county, town, community, grid or micro-grid; departments and external bodies hang
    under their county (or town). ``path`` is '/<id>/<id>/…/' from the root, ids zero-padded
    to 8 digits so that sorting by path lists the tree depth-first in creation order; subtree
    queries are prefix ranges on it."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="area")
    grid_type: Mapped[str | None] = mapped_column(String(10))
    # For departments and external bodies: the kind of matter they answer for (urban_management,
    # water, utilities…), matched against the event catalogue's department types.
    duty: Mapped[str | None] = mapped_column(String(40), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    path: Mapped[str] = mapped_column(PathString, index=True, default="")

    parent = relationship("OrgUnit", remote_side=[id], lazy="select")

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_within(self, other: "OrgUnit") -> bool:
        """True when this unit is ``other`` or lies under it."""
        return self.path.startswith(other.path)

    def name(self, lang: str = "zh") -> str:
        return (self.name_en if lang == "en" else self.name_zh) or self.name_zh


class Role(db.Model):
    """What a BPMN lane names. ``scope_level`` says where its tasks are scoped (the case unit's
    ancestor at that level); ``scope_data_key`` names process data holding the unit code instead
    (a summoned department). Both can be overridden per lane in the BPMN."""

    __tablename__ = "role"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    scope_level: Mapped[str | None] = mapped_column(String(20))
    scope_data_key: Mapped[str | None] = mapped_column(String(64))
    leader_role: Mapped[str | None] = mapped_column(String(64))
    builtin: Mapped[bool] = mapped_column(default=False)
    # What holding the role lets one do beyond its tasks (comma-separated): administer, design,
    # supervise (pause, resume, every case's fields in scope), urge, oversee (the supervisors'
    # board), approve_fallback (approves extensions for roles without a leader), evaluate, and
    # public (a resident: not staff, sees only their own).
    capabilities: Mapped[str | None] = mapped_column(String(500))


class Household(db.Model):
    """A household in a grid (or micro-grid), with the special groups its members belong to.

    Name, phone, ID number and notes are personal: only the roles that serve the household
    (its grid's workers and leader, its community's staff, administrators) see them."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    head_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(String(32))
    members: Mapped[int | None]
    elderly_alone: Mapped[bool] = mapped_column(default=False)
    hardship: Mapped[bool] = mapped_column(default=False)
    disability: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(String(1000))
    # Special groups a locality defines beyond the three flags (codes such as ``left_behind_child``).
    groups: Mapped[list | None] = mapped_column(JSONText)
    # 专人结对: the one person paired with the household (a cadre, party member or grid worker).
    paired_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Visit cadence (service_day/): when the next visit is due, and the due date a visit was opened for.
    next_visit_due: Mapped[date | None] = mapped_column(Date, index=True)
    visit_opened_for: Mapped[date | None] = mapped_column(Date)
    last_visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit = relationship("OrgUnit", lazy="joined")
    paired_user = relationship("User", lazy="select")
