"""The indicators' tables: definition versions, the case ledger, period rollups, overdue stocks,
frozen periods with their snapshots, and adjustments.

Rollups are keyed by *atoms*: a fact kind with its stage, role and verdict (``f|rework|返工||``),
the first fact of a kind in a case (``f1|…``), or a ledger measure of cases (``c|closed``). Counts
in the definitions are filters over atoms, so a new count needs no new column and no migration.
``actor_id`` 0 holds a unit's total; a person's own share is a row with their id beside it.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db
from ..models.org import PathString

NO_ACTOR = 0  # the unit's own total (facts with no actor count here only)


class DefinitionVersion(db.Model):
    """One deployed version of the indicator definitions: the platform-wide document
    (``locality`` '') or a locality's overlay of the indicators it changes."""

    __tablename__ = "indicator_definitions"
    __table_args__ = (UniqueConstraint("locality", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locality: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSONText)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)


class CaseEntry(db.Model):
    """A filed case as the indicators see it: where and by whom it was reported, when it was
    filed, due and closed, and whether it closed on time. Written from the facts stream."""

    __tablename__ = "indicator_case"
    __table_args__ = (
        Index("ix_indicator_case_unit", "unit_path", "due_at"),
        # Open cases whose due time has not yet been counted as overdue (the overdue scan).
        Index("ix_indicator_case_pending", "due_at", sqlite_where=text("closed_at IS NULL AND overdue_day IS NULL"),
              postgresql_where=text("closed_at IS NULL AND overdue_day IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    process_key: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    unit_path: Mapped[str] = mapped_column(PathString)
    reporter_id: Mapped[int] = mapped_column(default=NO_ACTOR)
    category: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(300))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_time: Mapped[bool | None]
    closing: Mapped[str | None] = mapped_column(String(40))
    overdue_day: Mapped[date | None] = mapped_column(Date)  # the day its overdue time was counted from
    kinds: Mapped[str] = mapped_column(String(1000), default="")  # fact kinds seen (for distinct counts)


class Rollup(db.Model):
    """Per local day, unit and actor: how many facts of an atom, and the sum of their scores."""

    __tablename__ = "indicator_rollup"
    __table_args__ = (UniqueConstraint("day", "unit_id", "actor_id", "atom"),
                      Index("ix_indicator_rollup_scan", "actor_id", "day", "unit_path"))

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int]
    unit_path: Mapped[str] = mapped_column(PathString)
    actor_id: Mapped[int] = mapped_column(default=NO_ACTOR)
    atom: Mapped[str] = mapped_column(String(200))
    n: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(default=0.0)


class StockDelta(db.Model):
    """Changes of a stock (cases open, cases open and overdue, tasks open and overdue) per local
    day: the stock at a day's start is the sum of the deltas of the days before it."""

    __tablename__ = "indicator_stock"
    __table_args__ = (UniqueConstraint("day", "unit_id", "actor_id", "atom"),
                      Index("ix_indicator_stock_scan", "actor_id", "day", "unit_path"))

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int]
    unit_path: Mapped[str] = mapped_column(PathString)
    actor_id: Mapped[int] = mapped_column(default=NO_ACTOR)
    atom: Mapped[str] = mapped_column(String(200))
    n: Mapped[int] = mapped_column(default=0)


class TaskOverdue(db.Model):
    """A task whose due time passed while it was open: counted into the overdue stock from the
    day it fell due until the day it was completed or cancelled."""

    __tablename__ = "indicator_task_overdue"
    __table_args__ = (Index("ix_indicator_task_overdue_open", "task_id", sqlite_where=text("end_day IS NULL"),
                            postgresql_where=text("end_day IS NULL")),)

    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), primary_key=True)
    unit_id: Mapped[int]
    unit_path: Mapped[str] = mapped_column(PathString)
    actor_id: Mapped[int] = mapped_column(default=NO_ACTOR)
    atom: Mapped[str] = mapped_column(String(200))
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date | None] = mapped_column(Date)


class Cursor(db.Model):
    """How far the facts stream has been rolled up: the last fact id, the ids below it not yet
    seen (transactions still in flight when it was read), and the ledger rules it was built with."""

    __tablename__ = "indicator_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    gaps: Mapped[dict | None] = mapped_column(JSONText)
    rules: Mapped[str | None] = mapped_column(String(64))  # sha256 of the ledger rules in use
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Period(db.Model):
    """A frozen month of one county: its figures are the snapshot below, never recomputed."""

    __tablename__ = "indicator_period"
    __table_args__ = (UniqueConstraint("root_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    root_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    period: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the day after its last day
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    definitions: Mapped[dict] = mapped_column(JSONText)  # {locality: definition version id} in force at its end
    last_fact_id: Mapped[int] = mapped_column(default=0)


class Snapshot(db.Model):
    """A frozen month's atoms per unit and actor: flows summed over the month, stocks (``s|…``)
    at its end."""

    __tablename__ = "indicator_snapshot"
    __table_args__ = (Index("ix_indicator_snapshot_scan", "period_id", "actor_id", "unit_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("indicator_period.id"))
    unit_id: Mapped[int]
    unit_path: Mapped[str] = mapped_column(PathString)
    actor_id: Mapped[int] = mapped_column(default=NO_ACTOR)
    atom: Mapped[str] = mapped_column(String(200))
    n: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(default=0.0)


class Adjustment(db.Model):
    """A correction of a period's figure, with its reason and author: of a count (by a
    supervisor or evaluator), or of an atom (a fact that arrived after its month was frozen)."""

    __tablename__ = "indicator_adjustment"
    __table_args__ = (Index("ix_indicator_adjustment_period", "root_id", "period", "unit_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    root_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    period: Mapped[str] = mapped_column(String(24))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    unit_path: Mapped[str] = mapped_column(PathString)
    actor_id: Mapped[int] = mapped_column(default=NO_ACTOR)
    indicator: Mapped[str | None] = mapped_column(String(64))
    atom: Mapped[str | None] = mapped_column(String(200))
    delta: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
