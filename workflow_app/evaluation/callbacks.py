"""The mechanisms the ``third_party_evaluation`` model names:

- ``evaluation.callback``: a callback is recorded on its sample row, with the model's ``mismatch``
  verdict (the platform closed the case, the resident says it is not solved), and as facts for the
  indicators against the case's grid and the person who reported it: ``callback`` (verdict: the
  satisfaction, or 未接通), ``callback_solved``, ``callback_mismatch``;
- ``evaluation.survey``: a grid's social survey and its score (``survey_score``, detail.score);
- ``evaluation.reopen_case``: a mismatch the model sends back becomes a new ``event_handling``
  case in the grid, linked to the one the resident disputes;
- ``evaluation.round_closed``: the evaluator closed the round; the evaluators' sight of the
  sampled cases' phones and addresses ends.

Facts are dated inside the round's period (its last moment once it has ended), so the round's
figures are that period's figures."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from .. import audit, clock, facts
from ..cases import service
from ..errors import DomainError
from ..extensions import db
from ..indicators import periods
from ..models import EvaluationRound, ProcessInstance, RoundSample, RoundSurvey, VisibilityGrant
from ..org import tree

log = logging.getLogger(__name__)
EVENT_PROCESS = "event_handling"
NOT_REACHED = "未接通"
SATISFACTION = ("满意", "基本满意", "不满意")
ATTITUDE = ("好", "一般", "差")


@dataclass
class _Person:
    id: int | None


def _text(value, limit: int = 2000) -> str | None:
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else None


def _round(value) -> EvaluationRound | None:
    ident = value.get("round_id") if isinstance(value, dict) else None
    if isinstance(ident, bool) or not isinstance(ident, int):
        return None
    return db.session.get(EvaluationRound, ident)


def _dated(fact, row: EvaluationRound) -> None:
    period = periods.parse(row.period)
    if period.closed():
        fact.at = period.ends_at - timedelta(seconds=1)


def callback(work, instance, data: dict, actor) -> None:
    call = data.get("call") if isinstance(data.get("call"), dict) else {}
    row = _round(call)
    case_id = call.get("case_id")
    sample = db.session.execute(select(RoundSample).where(RoundSample.round_id == row.id,
                                                          RoundSample.case_id == case_id)).scalar_one_or_none() \
        if row is not None and isinstance(case_id, int) else None
    if sample is None:
        log.error("case %s recorded a callback for no sampled case (%r)", instance.id, call)
        return
    sample.reached = data.get("reached") is True
    sample.solved = data.get("solved") if isinstance(data.get("solved"), bool) else None
    sample.satisfaction = data.get("satisfaction") if data.get("satisfaction") in SATISFACTION else None
    sample.attitude = data.get("attitude") if data.get("attitude") in ATTITUDE else None
    sample.comment = _text(data.get("callback_comment"))
    sample.mismatch = data.get("mismatch") is True
    sample.called_at, sample.called_by_id = clock.now(), getattr(actor, "id", None)
    case = db.session.get(ProcessInstance, sample.case_id)
    reporter, grid = _Person(sample.reporter_id), sample.grid.code
    detail = {"round_id": row.id, "solved": sample.solved, "attitude": sample.attitude}
    verdict = (sample.satisfaction or "未评价") if sample.reached else NOT_REACHED
    recorded = [facts.record("callback", instance=case, actor=reporter, stage="第三方回访", unit_code=grid,
                             detail={**detail, "verdict": verdict})]
    if sample.reached and sample.solved:
        recorded.append(facts.record("callback_solved", instance=case, actor=reporter, stage="第三方回访",
                                     unit_code=grid, detail=detail))
    if sample.mismatch:
        recorded.append(facts.record("callback_mismatch", instance=case, actor=reporter, stage="第三方回访",
                                     unit_code=grid, detail=detail))
    for fact in recorded:
        _dated(fact, row)


def survey(work, instance, data: dict, actor) -> None:
    item = data.get("grid_item") if isinstance(data.get("grid_item"), dict) else {}
    row, grid = _round(item), tree.by_code(item.get("code") if isinstance(item.get("code"), str) else None)
    if row is None or grid is None:
        log.error("case %s recorded a survey for no grid of a round (%r)", instance.id, item)
        return
    answers = data.get("survey") if isinstance(data.get("survey"), dict) else {}
    score = data.get("survey_score")
    score = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None
    with db.session.no_autoflush:
        found = db.session.execute(select(RoundSurvey).where(RoundSurvey.round_id == row.id,
                                                             RoundSurvey.grid_id == grid.id)).scalar_one_or_none()
    found = found or RoundSurvey(round_id=row.id, grid_id=grid.id)
    found.answers, found.score, found.at, found.by_id = answers, score, clock.now(), getattr(actor, "id", None)
    work.add(found)
    if score is not None:
        _dated(facts.record("survey_score", instance=instance, actor=actor, stage="社会评价", unit_code=grid.code,
                            detail={"score": score, "round_id": row.id}), row)


def reopen_case(work, instance, data: dict, actor) -> None:
    call = data.get("call") if isinstance(data.get("call"), dict) else {}
    original = db.session.get(ProcessInstance, call["case_id"]) if isinstance(call.get("case_id"), int) else None
    if original is None:
        return
    values = original.data or {}
    event = {key: values[key] for key in ("condition_code", "address", "contact_name", "contact_phone")
             if values.get(key)}
    event["description"] = (f"{values.get('description') or call.get('title') or ''}"
                            f"（第三方回访：群众称问题未解决，原案件 {original.id}）")[:2000]
    event["photos"] = []

    def start(work) -> None:
        try:
            started = service.start_internal(EVENT_PROCESS, tree.ref_by_id(original.org_unit_id).code, event, None)
        except DomainError as error:
            log.warning("mismatch of case %s not reopened: %s", original.id, error.message)
            return
        facts.record("mismatch_reopened", instance=original, actor=actor, stage="第三方回访",
                     detail={"new_case": started.id, "round_id": call.get("round_id")})

    work.follow_up(start)


def round_closed(work, instance, data: dict, actor) -> None:
    row = _round(data)
    if row is None:
        return
    row.status, row.closed_at = "closed", clock.now()
    db.session.execute(update(VisibilityGrant).where(
        VisibilityGrant.reason == f"evaluation_round:{row.id}", VisibilityGrant.revoked_at.is_(None))
        .values(revoked_at=row.closed_at))
    audit.record("evaluation_round_closed", actor=actor, instance=instance, subject=f"evaluation_round:{row.id}",
                 detail={"summary": _text(data.get("summary"), 4000)})


def register(registry) -> None:
    registry.register("evaluation.callback", callback)
    registry.register("evaluation.survey", survey)
    registry.register("evaluation.reopen_case", reopen_case)
    registry.register("evaluation.round_closed", round_closed)
