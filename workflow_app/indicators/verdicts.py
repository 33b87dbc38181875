"""Residents' verdicts (满意/基本满意/不满意) as facts.

A model records a verdict with the effect ``indicators.satisfaction`` on its callback task: a
``satisfaction`` fact with ``detail.verdict`` from the case data. For models that do not, the
definitions' ``verdicts`` rules derive one from each completed task of the named stage: the value
of the named data field, or ``superseded`` when the same case completed that stage again later
(in the shipped event process only an unsatisfied verdict sends a case round again). A derived
fact carries the time of the completion it comes from."""

from dataclasses import dataclass

from sqlalchemy import Text, select, type_coerce

from .. import facts
from ..extensions import db
from ..models import CaseFact, ProcessInstance
from ..repository import instances as store
from .ledger import COMPLETED_LATE, COMPLETED_ON_TIME, FactRow

EFFECT = "indicators.satisfaction"
FIELD, KIND = "satisfaction", "satisfaction"
MAX_VERDICT = 40


@dataclass
class _Actor:
    id: int | None


def record_effect(work, instance, data: dict, actor) -> None:
    """The ``indicators.satisfaction`` effect: the verdict in the case data, as a fact."""
    verdict = data.get(FIELD)
    if isinstance(verdict, str) and verdict:
        facts.record(KIND, instance=instance, actor=actor, stage="回访",
                     detail={"verdict": verdict[:MAX_VERDICT], "source": "effect"})


def _has_effect(instance: ProcessInstance) -> bool:
    nodes = store.manifest(instance).get("nodes") or {}
    return any(props.get("effect") == EFFECT for props in nodes.values())


def _completed_again(fact: FactRow) -> bool:
    return db.session.scalar(
        select(CaseFact.id).where(CaseFact.instance_id == fact.instance_id, CaseFact.stage == fact.stage,
                                  CaseFact.kind.in_((COMPLETED_ON_TIME, COMPLETED_LATE)), CaseFact.id > fact.id)
        .limit(1)) is not None


def _recorded(fact: FactRow, kind: str) -> bool:
    """Already derived from this completion (the stream is being rolled up again)."""
    mark = f'%"from_fact": {fact.id}}}'
    return db.session.scalar(
        select(CaseFact.id).where(CaseFact.instance_id == fact.instance_id, CaseFact.kind == kind,
                                  type_coerce(CaseFact.detail, Text).like(mark)).limit(1)) is not None


def derive(rules: list[dict], batch_facts: list[FactRow]) -> int:
    """Record the verdicts the batch's completions imply; returns how many."""
    by_stage = {rule["stage"]: rule for rule in rules}
    recorded = 0
    for fact in batch_facts:
        rule = by_stage.get(fact.stage or "")
        if rule is None or fact.kind not in (COMPLETED_ON_TIME, COMPLETED_LATE) or fact.instance_id is None:
            continue
        instance = db.session.get(ProcessInstance, fact.instance_id)
        if instance is None or _has_effect(instance) or _recorded(fact, rule["fact"]):
            continue
        if _completed_again(fact) and rule.get("superseded"):
            verdict = rule["superseded"]
        else:
            verdict = (instance.data or {}).get(rule["field"])
        if not isinstance(verdict, str) or not verdict:
            continue
        row = facts.record(rule["fact"], instance=instance, actor=_Actor(fact.actor_id), stage=fact.stage,
                           detail={"verdict": verdict[:MAX_VERDICT], "source": "derived", "from_fact": fact.id})
        row.at = fact.at
        recorded += 1
    return recorded
