"""Reverse evaluation (反向考核) of every closed case: the mechanisms the models name.

- ``evaluation.case_closed`` (on the closing end events of ``event_handling``): starts a
  ``case_rating`` case for it, naming who worked the case (the units and people that completed
  the tasks of the locality's ``rating.rated_stages``) and who rates (the grid worker who completed
  a ``rating.rater_stages`` task, else the reporter). Where no ``case_rating`` is deployed nothing
  happens. Who rates what, and when, is the ``case_rating`` model's;
- ``evaluation.resident_voice``: the resident's callback verdict on the case, as a
  ``rated_satisfaction`` fact against each unit rated (the third voice);
- ``evaluation.rate``: a rating task's scores, one ``rating`` fact per unit and step (接单, 沟通,
  处置; the score in ``detail.score``) against the unit and its handler, and one ``rating_given``
  fact for the rater;
- ``evaluation.rating_expired``: a rating task that was not done in time: one ``rating_expired``
  fact per unit, and no score;
- ``evaluation.rate_departments``, ``evaluation.department_rating_expired``: the same for the
  community's task, on its own keys (``department_ratings`` of ``department_subjects``).

The indicators count these facts (``processes/indicators/indicators.json``)."""

import logging

from sqlalchemy import select

from .. import facts
from ..cases import service
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..models import HumanTask, ProcessInstance, User
from ..models.task import COMPLETED
from ..org import tree
from . import data as evaluation_data

log = logging.getLogger(__name__)
PROCESS = "case_rating"
STEPS = (("accept", "接单"), ("communicate", "沟通"), ("handle", "处置"))
DEPARTMENT_KINDS = ("department", "external")
MAX_SUBJECTS = 20


def _names(value) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _worked(instance: ProcessInstance, rules: dict) -> tuple[list[dict], str | None]:
    """The units (with their last handler) that worked the case, and the username of the rater."""
    rated, raters = _names(rules.get("rated_stages")), _names(rules.get("rater_stages"))
    rows = db.session.execute(
        select(HumanTask, User.username, User.name).outerjoin(User, User.id == HumanTask.completed_by_id)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == COMPLETED)
        .order_by(HumanTask.completed_at, HumanTask.id)).all()
    subjects: dict[int, dict] = {}
    rater = None
    for task, username, name in rows:
        if task.stage in raters and username:
            rater = username
        if task.stage not in rated or task.scope_unit_id is None:
            continue
        unit = tree.ref_by_id(task.scope_unit_id)
        entry = subjects.setdefault(unit.id, {"code": unit.code, "name": unit.name_zh,
                                              "kind": unit.kind if unit.kind in DEPARTMENT_KINDS else unit.level,
                                              "handler": None, "handler_name": None})
        if username:
            entry["handler"], entry["handler_name"] = username, name
    if rater is None and instance.started_by is not None and "grid_worker" in instance.started_by.roles():
        rater = instance.started_by.username
    return list(subjects.values())[:MAX_SUBJECTS], rater


def case_closed(work, instance, data: dict, actor) -> None:
    def start(work) -> None:
        unit = tree.ref_by_id(instance.org_unit_id)
        rules = evaluation_data.section(unit, "rating")
        subjects, rater = _worked(instance, rules)
        title = str(data.get("title") or data.get("description") or f"案件 {instance.id}")[:200]
        payload = {"event_case": instance.id, "event_title": title, "subjects": subjects, "rater": rater or "",
                   "handled_by": str(data.get("handled_by") or ""),
                   "satisfaction": str(data.get("satisfaction") or ""),
                   "rating_limit": rules.get("limit") if isinstance(rules.get("limit"), dict)
                   else {"amount": 2, "unit": "work_days"}}
        try:
            service.start_internal(PROCESS, unit.code, payload, None)
        except DomainError as error:  # no reverse evaluation deployed here
            log.info("no case rating for case %s: %s", instance.id, error.message)

    work.follow_up(start)


def _subjects(data: dict, key: str = "subjects") -> list[dict]:
    found = data.get(key)
    return [s for s in found if isinstance(s, dict) and isinstance(s.get("code"), str)] \
        if isinstance(found, list) else []


def _handler(subject: dict) -> User | None:
    name = subject.get("handler")
    if not isinstance(name, str) or not name:
        return None
    return db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()


def resident_voice(work, instance, data: dict, actor) -> None:
    verdict = data.get("satisfaction")
    if not isinstance(verdict, str) or not verdict:
        return
    for subject in _subjects(data):
        facts.record("rated_satisfaction", instance=instance, actor=_handler(subject), stage="回访",
                     unit_code=subject["code"], detail={"verdict": verdict[:16], "event_case": data.get("event_case")})


def _score(value, field: str, errors: dict) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        errors.setdefault(field, []).append("a score from 1 to 5")
        return 0
    return value


def _rate(work, instance, data: dict, actor, ratings_key: str, subjects_key: str) -> None:
    subjects = {s["code"]: s for s in _subjects(data, subjects_key)}
    ratings = data.get(ratings_key) if isinstance(data.get(ratings_key), list) else []
    errors: dict = {}
    given: dict[str, dict] = {}
    for n, rating in enumerate(ratings):
        code = rating.get("subject") if isinstance(rating, dict) else None
        if code not in subjects:
            errors.setdefault(f"{ratings_key}.{n}.subject", []).append("not one of the units to rate")
            continue
        if code in given:
            errors.setdefault(f"{ratings_key}.{n}.subject", []).append("rated twice")
            continue
        given[code] = {field: _score(rating.get(field), f"{ratings_key}.{n}.{field}", errors) for field, _ in STEPS}
        comment = rating.get("comment")
        given[code]["comment"] = comment.strip()[:500] if isinstance(comment, str) and comment.strip() else None
    missing = [code for code in subjects if code not in given]
    if missing:
        errors.setdefault(ratings_key, []).append("rate every unit: " + ", ".join(missing))
    if errors:
        raise InvalidInput("the ratings are not complete", errors)
    for code, scores in given.items():
        handler = _handler(subjects[code])
        for field, stage in STEPS:
            facts.record("rating", instance=instance, actor=handler, stage=stage, unit_code=code,
                         detail={"score": scores[field], "rater": getattr(actor, "username", None),
                                 "event_case": data.get("event_case"), "comment": scores["comment"]})
    if actor is not None:
        facts.record("rating_given", instance=instance, actor=actor, stage="反向评价",
                     detail={"event_case": data.get("event_case"), "units": sorted(given)})


def _expired(data: dict, instance, subjects_key: str) -> None:
    for subject in _subjects(data, subjects_key):
        facts.record("rating_expired", instance=instance, actor=_handler(subject), stage="反向评价",
                     unit_code=subject["code"], detail={"event_case": data.get("event_case")})


# Each rater's task keeps its own keys: parallel branches of one case must not share a data key.
def rate(work, instance, data: dict, actor) -> None:
    _rate(work, instance, data, actor, "ratings", "subjects")


def rate_departments(work, instance, data: dict, actor) -> None:
    _rate(work, instance, data, actor, "department_ratings", "department_subjects")


def rating_expired(work, instance, data: dict, actor) -> None:
    _expired(data, instance, "subjects")


def department_rating_expired(work, instance, data: dict, actor) -> None:
    _expired(data, instance, "department_subjects")


def register(registry) -> None:
    registry.register("evaluation.case_closed", case_closed)
    registry.register("evaluation.resident_voice", resident_voice)
    registry.register("evaluation.rate", rate)
    registry.register("evaluation.rating_expired", rating_expired)
    registry.register("evaluation.rate_departments", rate_departments)
    registry.register("evaluation.department_rating_expired", department_rating_expired)
