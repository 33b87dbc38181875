"""Third-party evaluation rounds (第三方评估): an evaluator opens a round for a period and a scope;
the platform draws the sample (``sampling``) and starts the ``third_party_evaluation`` case whose
callback and survey tasks land in the evaluators' inbox. The round's progress, its sample, its
mismatches and its scores (the indicator table's third-party figures) are read here."""

from datetime import timedelta

from sqlalchemy import func, select

from .. import audit, clock, uow
from ..cases import service
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..indicators import periods
from ..models import EvaluationRound, OrgUnit, ProcessInstance, RoleAssignment, RoundSample, RoundSurvey, User
from ..org import access, tree, visibility
from . import data as evaluation_data
from . import report, round_scores, sampling

PROCESS = "third_party_evaluation"
EVALUATE, EVALUATOR = "evaluate", "evaluator"
GRANTED = ("contact", "location")
GRANT_DAYS = timedelta(days=90)  # at most; closing the round revokes the grants
SCORES = {"callbacks": "第三方回访数", "reached": "第三方接通", "satisfaction": "第三方满意率",
          "solved": "第三方解决率", "mismatches": "回访不符", "survey": "社会评价得分", "score": "第三方评估得分"}
MAX_TEXT = 200
SCOPE_LEVELS = ("county", "town", "community")


def may_evaluate(user: User, unit) -> bool:
    return access.capable(user, EVALUATE, unit)


def home_scope(user: User):
    """The highest unit where ``user`` evaluates (None: not an evaluator)."""
    held = access.units_with(user, EVALUATE)
    return min(held, key=lambda u: len(u.path)) if held else None


def scope_choices(user: User) -> list[dict]:
    """The units an evaluator may open a round for (their scope and the towns and communities
    under it), by name: ``[{code, name, level}]``."""
    home = home_scope(user)
    if home is None:
        return []
    units = db.session.execute(select(OrgUnit).where(tree.subtree(home), OrgUnit.kind == "area",
                                                     OrgUnit.level.in_(SCOPE_LEVELS)).order_by(OrgUnit.path)).scalars()
    return [{"code": u.code, "name": u.name_zh, "level": u.level} for u in units if may_evaluate(user, u)]


def may_read(user: User, unit) -> bool:
    return may_evaluate(user, unit) or access.capable(user, access.SUPERVISE, unit) \
        or access.capable(user, access.OVERSEE, unit)


def _call(case: ProcessInstance, grid: tree.UnitRef, round_id: int) -> dict:
    values = case.data or {}
    return {"round_id": round_id, "case_id": case.id, "grid": grid.code, "grid_name": grid.name_zh,
            "title": str(values.get("title") or values.get("description") or f"案件 {case.id}")[:MAX_TEXT],
            "address": str(values.get("address") or "")[:MAX_TEXT],
            "contact_name": str(values.get("contact_name") or "")[:MAX_TEXT],
            "contact_phone": str(values.get("contact_phone") or "")[:64],
            "closed_at": case.ended_at.isoformat() if case.ended_at else None}


def create(user: User, scope: str, period_key: str, share: float | None, minimum: int | None,
           seed: str | None) -> EvaluationRound:
    unit = tree.require(scope, "scope")
    if not may_evaluate(user, unit):
        raise Forbidden(f"only evaluators open evaluation rounds at {unit.code}")
    period = periods.parse(period_key)
    rules = evaluation_data.section(unit, "sample")
    share = share if share is not None else rules.get("share", 0.1)
    minimum = minimum if minimum is not None else rules.get("minimum", 3)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise InvalidInput("the share sampled is a fraction above 0, at most 1", {"sample": ["share out of range"]})
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= 1000:
        raise InvalidInput("the minimum per grid is a whole number from 1", {"sample": ["minimum out of range"]})
    share, minimum = float(share), int(minimum)
    seed = seed or sampling.new_seed()
    drawn = sampling.draw(sampling.closed_cases(unit, period), share, minimum, seed)
    total = sum(len(ids) for ids in drawn.values())
    if not total:
        raise InvalidInput(f"no case closed in {period.key} under {unit.code}", {"period": ["no closed cases"]})
    if total > sampling.MAX_SAMPLE:
        raise InvalidInput(f"the sample is too large for one round (at most {sampling.MAX_SAMPLE})",
                           {"sample": [f"at most {sampling.MAX_SAMPLE} cases"]})
    grids = [tree.UnitRef.of(u) for u in db.session.execute(
        select(OrgUnit).where(tree.subtree(unit), OrgUnit.level == sampling.GRID, OrgUnit.kind == "area")
        .order_by(OrgUnit.path)).scalars()]

    def action(work):
        now = clock.now()
        row = EvaluationRound(unit_id=unit.id, unit_path=unit.path, period=period.key, share=share, minimum=minimum,
                              seed=seed, sample_size=total, status="open", created_by_id=user.id, created_at=now)
        work.add(row)
        work.flush()
        calls = []
        for grid_id, ids in drawn.items():
            grid = tree.ref_by_id(grid_id)
            for case in db.session.execute(select(ProcessInstance).where(ProcessInstance.id.in_(ids))
                                           .order_by(ProcessInstance.id)).scalars():
                work.add(RoundSample(round_id=row.id, case_id=case.id, grid_id=grid.id, grid_path=grid.path,
                                     reporter_id=case.started_by_id, mismatch=False))
                calls.append(_call(case, grid, row.id))
        payload = {"round_id": row.id, "period": period.key, "seed": seed, "sample": calls,
                   "grids": [{"code": g.code, "name": g.name_zh, "round_id": row.id} for g in grids]}
        started = service.start_internal(PROCESS, unit.code, payload, user)
        work.flush()
        row.instance_id = started.id
        _grant(row, unit, [started.id, *(call["case_id"] for call in calls)], user)
        audit.record("evaluation_round_opened", actor=user, instance=started, subject=f"evaluation_round:{row.id}",
                     detail={"period": period.key, "seed": seed, "share": share, "minimum": minimum,
                             "sample_size": total})
        return row

    return uow.run(action)


def _grant(row: EvaluationRound, unit, case_ids: list[int], user: User) -> None:
    """The evaluators of the scope see the sampled cases' phones and addresses (and the round
    case's) until the round closes: the visibility policy's ``sample`` scope, nowhere else."""
    holders = db.session.execute(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
                                 .where(RoleAssignment.role_code == EVALUATOR).distinct()).scalars()
    until = clock.now() + GRANT_DAYS
    for person in holders:
        if not access.holds(person, EVALUATOR, unit):
            continue
        for case_id in case_ids:
            for field_class in GRANTED:
                visibility.grant(person, case_id, field_class, until, reason=grant_reason(row.id),
                                 granted_by=user.username)


def grant_reason(round_id: int) -> str:
    return f"evaluation_round:{round_id}"


def readable(user: User, round_id: int) -> EvaluationRound:
    """The round, when ``user`` may read it (404 otherwise)."""
    row = db.session.get(EvaluationRound, round_id)
    if row is None or not may_read(user, row.unit):
        raise NotFound(f"no evaluation round {round_id}")
    return row


def sample(user: User, round_id: int) -> dict:
    row = readable(user, round_id)
    samples = list(db.session.execute(select(RoundSample).where(RoundSample.round_id == row.id)
                                      .order_by(RoundSample.grid_path, RoundSample.case_id)).scalars())
    grids: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for s in samples:
        grid = tree.ref_by_id(s.grid_id)
        grids.setdefault(grid.code, []).append(s.case_id)
        names[grid.code] = grid.name_zh
    return {"id": row.id, "seed": row.seed, "share": row.share, "minimum": row.minimum,
            "case_ids": sorted(s.case_id for s in samples), "grids": grids, "grid_names": names}


def _progress(row: EvaluationRound) -> dict:
    counts = db.session.execute(select(
        func.count(RoundSample.id), func.count(RoundSample.called_at),
        func.count(RoundSample.id).filter(RoundSample.reached.is_(True)),
        func.count(RoundSample.id).filter(RoundSample.mismatch.is_(True)))
        .where(RoundSample.round_id == row.id)).one()
    surveys = db.session.scalar(select(func.count(RoundSurvey.id)).where(RoundSurvey.round_id == row.id))
    size, called = counts[0] or 0, counts[1] or 0
    return {"sample_size": size, "called": called, "reached": int(counts[2] or 0), "mismatches": int(counts[3] or 0),
            "surveys": surveys or 0, "done_share": round(called / size, 4) if size else None}


def _scores(row: EvaluationRound) -> dict:
    """The round's own per-grid and per-worker scores (never another round's callbacks)."""
    found = round_scores.scores(row, SCORES)
    return {"indicators": SCORES, "total": found["total"],
            "grids": [g for g in found["grids"] if g["callbacks"] or g["survey"] is not None],
            "workers": [w for w in found["workers"] if w["callbacks"]]}


def present(row: EvaluationRound) -> dict:
    return {"id": row.id, "scope": row.unit.code, "scope_name": row.unit.name_zh, "period": row.period,
            "period_label": periods.parse(row.period).label(),
            "share": row.share, "minimum": row.minimum, "seed": row.seed, "sample_size": row.sample_size,
            "status": row.status, "instance_id": row.instance_id, "created_at": row.created_at,
            "closed_at": row.closed_at}


def detail(user: User, round_id: int) -> dict:
    row = readable(user, round_id)
    return {**present(row), "progress": _progress(row), "scores": _scores(row), "generated_at": clock.now(),
            "mismatches": _mismatch_rows(select(RoundSample).where(RoundSample.round_id == row.id)),
            "conclusion": conclusion(row)}


def conclusion(row: EvaluationRound) -> str | None:
    """The 评估结论 the evaluator wrote when closing the round (the close task's ``summary``)."""
    case = db.session.get(ProcessInstance, row.instance_id) if row.instance_id else None
    summary = (case.data or {}).get("summary") if case is not None and row.status == "closed" else None
    return summary.strip() if isinstance(summary, str) and summary.strip() else None


def report_file(user: User, round_id: int, kind: str) -> tuple[bytes, str, str]:
    """The round's report as ``pdf`` or ``xlsx``: (content, mimetype, file name)."""
    found = detail(user, round_id)
    name = f"evaluation-round-{found['id']}-{found['period']}"
    if kind == "pdf":
        return report.render_pdf(found), "application/pdf", f"{name}.pdf"
    return (report.render_xlsx(found), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx")


def listing(user: User) -> list[dict]:
    rows = db.session.execute(select(EvaluationRound).order_by(EvaluationRound.id.desc()).limit(200)).scalars()
    return [{**present(r), "progress": _progress(r)} for r in rows if may_read(user, r.unit)]


def _mismatch_rows(query) -> list[dict]:
    rows = db.session.execute(query.where(RoundSample.mismatch.is_(True)).order_by(RoundSample.id)).scalars()
    return [{"round_id": s.round_id, "case_id": s.case_id, "grid": s.grid.code, "grid_name": s.grid.name_zh,
             "called_at": s.called_at, "satisfaction": s.satisfaction, "comment": s.comment} for s in rows]


def mismatches(user: User, org_unit: str | None) -> list[dict]:
    """Cases the platform closed as solved that the resident says are not: for the supervisors."""
    unit = tree.require(org_unit) if org_unit else tree.root_unit()
    if not may_read(user, unit):
        raise Forbidden(f"{user.username} may not see the evaluation of {unit.code}")
    return _mismatch_rows(select(RoundSample).where(tree.within(RoundSample.grid_path, unit.path)))
