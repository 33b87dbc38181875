"""A round's own scores (第三方评估得分): the indicator definitions in force (``第三方回访数``,
``第三方满意率``…, the composite ``第三方评估得分``) computed over the facts of this round only.

The period's indicator table counts every callback of the period, whichever round made it: two
rounds over the same period and scope would each report the other's callbacks. A round's report
(page, PDF, XLSX, ``GET /evaluation/rounds/<id>``) therefore reads the facts whose
``detail.round_id`` is the round's (``callback``, ``callback_solved``, ``callback_mismatch``,
``survey_score``: ``callbacks`` records them so) and turns them into atoms exactly as the facts
stream does, per grid and per grid worker. No score is computed here: the definitions do it."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..indicators import atoms, periods, versions
from ..indicators.figures import Calculator, Subject
from ..models import CaseFact, EvaluationRound, HumanTask, User
from ..org import tree

FACTS = ("callback", "callback_solved", "callback_mismatch", "survey_score")
WORKER_ROLE = "grid_worker"


def _moment(period: periods.Period) -> datetime:
    return period.ends_at if period.closed() else clock.now()


def _add(target: dict, fact, role) -> None:
    detail = fact.detail if isinstance(fact.detail, dict) else {}
    verdict = detail.get("verdict") if isinstance(detail.get("verdict"), str) else None
    score = detail.get("score")
    total = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else 0.0
    cell = target.setdefault(atoms.fact(fact.kind, fact.stage, role, verdict), [0, 0.0])
    cell[0] += 1
    cell[1] += total


def round_facts(row: EvaluationRound, period: periods.Period) -> list[tuple[CaseFact, str | None]]:
    """The facts this round recorded (with their task's role, as the facts stream reads them)."""
    found = db.session.execute(
        select(CaseFact, HumanTask.role).outerjoin(HumanTask, HumanTask.id == CaseFact.human_task_id)
        .where(CaseFact.kind.in_(FACTS), CaseFact.at >= period.starts_at, CaseFact.at < period.ends_at,
               tree.within(CaseFact.unit_path, row.unit_path))
        .order_by(CaseFact.id)).all()
    return [(fact, role) for fact, role in found
            if isinstance(fact.detail, dict) and fact.detail.get("round_id") == row.id]


def _compute(subjects: list[tuple[object, Subject]], moment: datetime) -> list:
    """Figures per subject, each by the definitions in force at its unit."""
    groups: dict = defaultdict(list)
    for n, (unit, subject) in enumerate(subjects):
        resolved = versions.resolve(unit, moment)
        groups[resolved.key].append((n, subject, resolved.document))
    figures: list = [None] * len(subjects)
    for members in groups.values():
        computed = Calculator(members[0][2]).compute([m[1] for m in members])
        for (n, _subject, _document), value in zip(members, computed, strict=True):
            figures[n] = value
    return figures


def scores(row: EvaluationRound, wanted: dict[str, str]) -> dict:
    """``{total, grids, workers}``: each a dict of ``wanted`` (field -> indicator id) values, with
    ``subject`` (a unit code or a username) and ``name``."""
    period = periods.parse(row.period)
    moment = _moment(period)
    by_unit: dict[int, dict] = defaultdict(dict)
    by_person: dict[int, dict] = defaultdict(dict)
    everything: dict = {}
    for fact, role in round_facts(row, period):
        if fact.unit_id is None:
            continue
        _add(by_unit[fact.unit_id], fact, role)
        _add(everything, fact, role)
        if fact.actor_id:
            _add(by_person[fact.actor_id], fact, role)
    scope = tree.UnitRef.of(row.unit)
    grids = sorted((tree.ref_by_id(unit_id) for unit_id in by_unit), key=lambda u: u.path)
    people = [p for p in db.session.execute(select(User).where(User.id.in_(sorted(by_person)))).scalars()
              if WORKER_ROLE in {a.role_code for a in p.assignments}] if by_person else []
    people.sort(key=lambda p: (p.name or "", p.username))
    level = scope.level if scope.kind == "area" else "department"
    subjects = [(scope, Subject(scope.code, level, frozenset(), everything))]
    subjects += [(g, Subject(g.code, g.level, frozenset(), by_unit[g.id])) for g in grids]
    subjects += [(tree.UnitRef.of(p.assignments[0].org_unit),
                  Subject(p.username, "person", frozenset(a.role_code for a in p.assignments), by_person[p.id]))
                 for p in people]
    figures = _compute(subjects, moment)
    names = [scope.name_zh, *(g.name_zh for g in grids), *(p.name or p.username for p in people)]

    def shown(n: int) -> dict:
        values = figures[n].values
        return {"subject": subjects[n][1].key, "name": names[n], **{k: values.get(v) for k, v in wanted.items()}}

    return {"total": shown(0), "grids": [shown(1 + n) for n in range(len(grids))],
            "workers": [shown(1 + len(grids) + n) for n in range(len(people))]}
