"""The tables of third-party and reverse evaluation (第三方评估、反向考核): each locality's
evaluation data, the evaluator's rounds with their drawn sample and callbacks, the per-grid social
surveys, and the points ledger (积分) with its balances. Ratings themselves are case facts (the
indicators count them). Written through ``uow.run`` by ``workflow_app/evaluation``; nothing here
commits."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import JSONText, UTCDateTime
from ..extensions import db
from .org import PathString

ROUND_STATUSES = ("open", "closed")


class EvaluationSetting(db.Model):
    """A locality's evaluation data (what it changes of ``processes/evaluation/evaluation.json``:
    sample sizes, honours thresholds, points rules, the rating time limit)."""

    __tablename__ = "evaluation_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    document: Mapped[dict] = mapped_column(JSONText)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    unit = relationship("OrgUnit", lazy="select")


class EvaluationRound(db.Model):
    """A third-party evaluation round: a period and a scope, its sample rule and seed, its case."""

    __tablename__ = "evaluation_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    unit_path: Mapped[str] = mapped_column(PathString)
    period: Mapped[str] = mapped_column(String(16))
    share: Mapped[float]
    minimum: Mapped[int]
    seed: Mapped[str] = mapped_column(String(64))
    sample_size: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit = relationship("OrgUnit", lazy="select")
    samples = relationship("RoundSample", lazy="select", order_by="RoundSample.id", back_populates="round")


class RoundSample(db.Model):
    """One drawn case of a round, and the resident's callback when it is made."""

    __tablename__ = "evaluation_sample"
    __table_args__ = (UniqueConstraint("round_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    grid_path: Mapped[str] = mapped_column(PathString)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reached: Mapped[bool | None]
    solved: Mapped[bool | None]
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    attitude: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    mismatch: Mapped[bool] = mapped_column(default=False)

    round = relationship("EvaluationRound", lazy="select", back_populates="samples")
    grid = relationship("OrgUnit", lazy="select")


class RoundSurvey(db.Model):
    """A grid's social survey (社会评价) in a round: the answers to the form's questions."""

    __tablename__ = "evaluation_survey"
    __table_args__ = (UniqueConstraint("round_id", "grid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    answers: Mapped[dict] = mapped_column(JSONText)
    score: Mapped[float | None]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class Honour(db.Model):
    """A grid or a person awarded an honour (荣誉) for a period by the nomination process."""

    __tablename__ = "evaluation_honour"
    __table_args__ = (UniqueConstraint("root_id", "period", "kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    root_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    period: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    unit_path: Mapped[str] = mapped_column(PathString)
    figures: Mapped[dict | None] = mapped_column(JSONText)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PointsAccount(db.Model):
    """A person's points balance: changed only by a conditional UPDATE, never below zero."""

    __tablename__ = "points_account"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)
    earned: Mapped[int] = mapped_column(default=0)
    redeemed: Mapped[int] = mapped_column(default=0)


class PointsEntry(db.Model):
    """One line of the points ledger: earned by a rule (``source`` the fact it came from) or
    redeemed (``item``, a negative ``delta``)."""

    __tablename__ = "points_entry"
    __table_args__ = (UniqueConstraint("source", "user_id"), Index("ix_points_entry_user", "user_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    delta: Mapped[int]
    balance: Mapped[int]  # after this line
    kind: Mapped[str] = mapped_column(String(16))  # earned, redeemed
    rule: Mapped[str | None] = mapped_column(String(64))
    item: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(64))  # fact:<id>; None for redemptions
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class PointsCursor(db.Model):
    """How far the points job has read the facts stream (one row)."""

    __tablename__ = "points_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_fact_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
