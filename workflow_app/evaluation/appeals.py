"""Appeals (申诉) against a period's facts or figures, as the ``evaluation_appeal`` model runs them:

- ``evaluation.appeal_filed`` (start event): the appeal names a month, a subject (a unit code or a
  username) and an indicator; a person appeals for themself, a unit's staff for their unit (or a
  unit under it). Anything else refuses the start (422);
- ``evaluation.appeal_upheld``: the supervisor's correction becomes an adjustment of the
  indicators (``indicators/adjustments``) whose reason names the appeal; the frozen figure before
  it stays readable (``adjusted=false``). An ``appeal_upheld`` fact records it (with whom the
  appeal was ``against``: honours leave them out);
- ``evaluation.appeal_refused``: the refusal and its reason, as an ``appeal_refused`` fact.

The time limit (N working days after publication) and who decides are the model's; the audit
trail records every step (task completions, the adjustment)."""

from sqlalchemy import select

from .. import audit, facts
from ..errors import InvalidInput
from ..extensions import db
from ..indicators import adjustments, periods
from ..models import ProcessInstance, User
from ..org import access, tree
from . import appeal_figures

MAX_TEXT = 4000


def _person(name) -> User | None:
    if not isinstance(name, str) or not name:
        return None
    return db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()


def _subject_unit(code: str):
    """(unit code the subject counts at, the person or None)."""
    unit = tree.by_code(code)
    if unit is not None:
        return unit, None
    person = _person(code)
    if person is None or not person.assignments:
        raise InvalidInput(f"no unit or person {code!r}", {"subject": ["unknown unit or person"]})
    return person.assignments[0].org_unit, person


def appeal_filed(work, instance, data: dict, actor) -> None:
    subject = data.get("subject") if isinstance(data.get("subject"), str) else ""
    try:
        periods.month_of(str(data.get("period") or ""))
    except InvalidInput as error:
        raise InvalidInput(error.message, {"period": ["use YYYY-MM"]}) from error
    unit, person = _subject_unit(subject)
    own = person is not None and actor is not None and person.id == actor.id
    if not own and (actor is None or not access.works_in(actor, unit)):
        raise InvalidInput("appeal for yourself or for a unit you work in", {"subject": ["not yours to appeal"]})
    pending = _pending_twin(instance, data)
    if pending is not None:
        raise InvalidInput(f"an appeal of this figure is already being decided (case {pending})",
                           {"indicator": ["already appealed"]})


SAME_APPEAL = ("subject", "period", "indicator")


def _pending_twin(instance, data: dict) -> int | None:
    """A running appeal of the same model on the same subject, month and figure (one is enough)."""
    others = db.session.execute(select(ProcessInstance.id, ProcessInstance.data).where(
        ProcessInstance.process_key == instance.process_key, ProcessInstance.status == "running",
        ProcessInstance.id != instance.id)).all()
    wanted = tuple(str(data.get(key) or "") for key in SAME_APPEAL)
    return next((case_id for case_id, other in others
                 if tuple(str((other or {}).get(key) or "") for key in SAME_APPEAL) == wanted), None)


def _reason(instance, data: dict) -> str:
    reason = str(data.get("decision_reason") or "").strip()
    return f"申诉（案件 {instance.id}）采纳：{reason}"[:adjustments.MAX_REASON]


def _fact(kind: str, instance, data: dict, actor, detail: dict) -> None:
    unit, person = _subject_unit(str(data.get("subject") or ""))
    facts.record(kind, instance=instance, actor=person, stage="审核申诉", unit_code=unit.code,
                 detail={"period": data.get("period"), "indicator": data.get("indicator"),
                         "against": data.get("against") or None, "decided_by": getattr(actor, "username", None),
                         "reason": str(data.get("decision_reason") or "")[:MAX_TEXT], **detail})


def appeal_upheld(work, instance, data: dict, actor) -> None:
    delta = data.get("delta")
    if isinstance(delta, bool) or not isinstance(delta, int | float) or not delta:
        raise InvalidInput("an upheld appeal needs the correction to the figure", {"delta": ["a number, not 0"]})
    indicator = str(data.get("indicator") or "")
    counts = appeal_figures.feeding_counts(indicator)
    chosen = data.get("adjusted_count") if isinstance(data.get("adjusted_count"), str) else None
    if chosen is None and counts == [indicator]:
        chosen = indicator  # an appeal on a count adjusts that count
    if chosen not in counts:
        raise InvalidInput(f"choose which count of {indicator} to adjust",
                           {"adjusted_count": [f"one of: {'、'.join(counts) or '—'}"]})
    try:
        row = adjustments.create(actor, str(data.get("subject")), str(data.get("period")), chosen,
                                 float(delta), _reason(instance, data))
    except InvalidInput as error:
        errors = {("adjusted_count" if k == "indicator" else k): v for k, v in (error.errors or {}).items()}
        raise InvalidInput(error.message, errors or None) from error
    db.session.flush()
    _fact("appeal_upheld", instance, data, actor, {"adjustment_id": row.id, "delta": float(delta),
                                                   "adjusted_count": chosen})
    audit.record("appeal_upheld", actor=actor, instance=instance, subject=f"appeal:{instance.id}",
                 detail={"adjustment_id": row.id, "delta": float(delta), "adjusted_count": chosen})


def appeal_refused(work, instance, data: dict, actor) -> None:
    _fact("appeal_refused", instance, data, actor, {})
    audit.record("appeal_refused", actor=actor, instance=instance, subject=f"appeal:{instance.id}",
                 detail={"reason": str(data.get("decision_reason") or "")[:MAX_TEXT]})


def register(registry) -> None:
    registry.register("evaluation.appeal_filed", appeal_filed)
    registry.register("evaluation.appeal_upheld", appeal_upheld)
    registry.register("evaluation.appeal_refused", appeal_refused)
