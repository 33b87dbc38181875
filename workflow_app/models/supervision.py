"""The supervisors' board's counts of open tasks, kept by database triggers on ``human_task``.

Every open task counts once under its key: where it is scoped (its path and unit), the case's unit
when the task is a summoned department's or outside body's (0 otherwise), its stage, process and
SLA colour ('' for none). A trigger appends a ±1 row to ``supervision_delta`` whenever a task
enters, leaves or changes its key (no shared row is updated, so concurrent completions never wait
on one another); the scheduler folds the deltas into ``supervision_count``. A count is the sum of
both tables. ``supervision_multitask_case`` lists the cases with more than one open task: the
only ones whose tasks are not each a distinct case (see ``sla.counts``)."""

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .org import PathString


class _Key:
    scope_path: Mapped[str] = mapped_column(PathString, primary_key=True)
    scope_unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stage: Mapped[str] = mapped_column(String(100), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    colour: Mapped[str] = mapped_column(String(8), primary_key=True)


class SupervisionCount(_Key, db.Model):
    """Open tasks per key, as of the last fold (add ``supervision_delta`` for now)."""

    __tablename__ = "supervision_count"

    tasks: Mapped[int] = mapped_column(default=0)


class SupervisionDelta(db.Model):
    """+1 / -1 per task entering or leaving a key, appended by the triggers, folded by the scheduler."""

    __tablename__ = "supervision_delta"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    scope_path: Mapped[str] = mapped_column(PathString)
    scope_unit_id: Mapped[int]
    case_unit_id: Mapped[int]
    stage: Mapped[str] = mapped_column(String(100))
    process_key: Mapped[str] = mapped_column(String(128))
    colour: Mapped[str] = mapped_column(String(8))
    tasks: Mapped[int]


class SupervisionMultitaskCase(db.Model):
    """A case with more than one open task (kept by the triggers)."""

    __tablename__ = "supervision_multitask_case"

    instance_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
