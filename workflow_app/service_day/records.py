"""The tables of the monthly grid service day (网格服务日) and paired visits (专人结对).

- ``ServiceDaySetting``: a locality's rule for its service day (a day of the month or the n-th
  weekday), how many working days before it the planning task opens and after it visits are due,
  and the pairing cap; a unit without a row takes each value from the nearest unit above it;
- ``ServiceDayTheme``: the month's theme (服务主题) and themed projects a town or county set;
- ``ServiceDayCase``: the service-day (and planning) case started for a unit and month: at most
  one of each, which is what keeps a month from starting twice;
- ``VisitDue``: one household due a visit, in a service-day case or between service days;
- ``HouseholdVisit``: a recorded visit (met / not at home / refused, needs, help, photos, a
  problem and the event case it started).

Pairings and next-visit due dates live on the household row (models/org.py). Written through
``uow.run`` by the services beside this module (and migration 0009); nothing here commits."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db
from ..models.org import PathString

OUTCOMES = ("met", "not_home", "refused")
OUTCOME_NAMES = {"met": ("已见面", "Met"), "not_home": ("不在家", "Not at home"), "refused": ("拒绝走访", "Refused")}
KINDS = ("service_day", "cadence")


class ServiceDaySetting(db.Model):
    """One locality's own service-day settings (null: inherited from the unit above)."""

    __tablename__ = "service_day_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    rule: Mapped[dict | None] = mapped_column(JSONText)  # {"day": 15} or {"weekday": "fri", "nth": 1}
    lead_days: Mapped[int | None]
    deadline_days: Mapped[int | None]
    pairing_cap: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(64))

    unit = relationship("OrgUnit", lazy="joined")


class ServiceDayTheme(db.Model):
    """A month's theme for a town or county (``month`` is YYYY-MM)."""

    __tablename__ = "service_day_theme"
    __table_args__ = (UniqueConstraint("unit_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    month: Mapped[str] = mapped_column(String(7))
    theme: Mapped[str] = mapped_column(String(200))
    projects: Mapped[list | None] = mapped_column(JSONText)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    set_by: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)

    unit = relationship("OrgUnit", lazy="joined")
    instance = relationship("ProcessInstance", lazy="select")


class ServiceDayCase(db.Model):
    """The case a unit's service day (``kind`` day) or its planning (``kind`` planning) ran in."""

    __tablename__ = "service_day_case"
    __table_args__ = (UniqueConstraint("unit_id", "month", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(16))
    service_date: Mapped[date | None] = mapped_column(Date)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    unit = relationship("OrgUnit", lazy="joined")
    instance = relationship("ProcessInstance", lazy="select")


class HouseholdVisit(db.Model):
    """A visit to a household as its visitor recorded it."""

    __tablename__ = "household_visit"
    __table_args__ = (UniqueConstraint("instance_id", "household_id"), Index("ix_household_visit_unit", "unit_path",
                                                                             "month"),
                      Index("ix_household_visit_household", "household_id", "visited_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    unit_path: Mapped[str] = mapped_column(PathString)
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(16))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    needs: Mapped[str | None] = mapped_column(Text)
    help_given: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list | None] = mapped_column(JSONText)
    problem_found: Mapped[bool] = mapped_column(default=False)
    problem_description: Mapped[str | None] = mapped_column(Text)
    problem_code: Mapped[str | None] = mapped_column(String(64))
    event_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    cadence_days: Mapped[int | None]
    next_due: Mapped[date | None] = mapped_column(Date)

    household = relationship("Household", lazy="joined")
    visitor = relationship("User", lazy="joined")
    instance = relationship("ProcessInstance", foreign_keys=[instance_id], lazy="select")
    event_instance = relationship("ProcessInstance", foreign_keys=[event_instance_id], lazy="select")


class VisitDue(db.Model):
    """A household due a visit in a case (``month``: the month the visit counts for)."""

    __tablename__ = "household_visit_due"
    __table_args__ = (UniqueConstraint("instance_id", "household_id"), Index("ix_household_visit_due_unit",
                                                                             "unit_path", "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    unit_path: Mapped[str] = mapped_column(PathString)
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date] = mapped_column(Date)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("household_visit.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    household = relationship("Household", lazy="joined")
    instance = relationship("ProcessInstance", lazy="select")
    visit = relationship("HouseholdVisit", lazy="select")


NOTE_LIMIT = 2000  # needs, help and problem texts are cut here (the form allows as much)
__all__ = ["HouseholdVisit", "KINDS", "NOTE_LIMIT", "OUTCOMES", "OUTCOME_NAMES", "ServiceDayCase", "ServiceDaySetting",
           "ServiceDayTheme", "VisitDue"]
