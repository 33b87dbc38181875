"""Honours (荣誉) by merit, never by quotas: for a period the platform lists as candidates every
grid and every person whose figures meet all the thresholds of the locality's data
(``honours.subjects``: per kind of subject its level, role and ``thresholds`` by indicator id, or
``composite`` for the subject's primary composite), leaving out anyone against whom an appeal
was upheld in that period. There is no cap.

The ``honour_nomination`` model decides in two levels: the candidates are grouped by the unit
above them at ``honours.review_level`` (the town by default), whose ``honours.review_role`` (the
town leader by default) nominates from them
(``evaluation.honours_reviewed`` checks that only candidates are withheld, and why); the county
supervisor approves the nominations the same way, and ``evaluation.honours_awarded`` writes the
roll, public to the whole county. Neither level can add anyone."""

from sqlalchemy import select

from .. import audit, clock
from ..cases import service
from ..errors import Conflict, Forbidden, InvalidInput
from ..extensions import db
from ..indicators import periods, permissions, report
from ..models import CaseFact, Honour, User
from ..org import access, tree
from . import data as evaluation_data

PROCESS = "honour_nomination"
MAX_CANDIDATES = 2000


def _against(unit, period: periods.Period) -> set[str]:
    rows = db.session.execute(select(CaseFact.detail).where(
        CaseFact.kind == "appeal_upheld", tree.within(CaseFact.unit_path, tree.root_of(unit).path))).scalars()
    return {d.get("against") for d in rows if isinstance(d, dict) and d.get("period") == period.key
            and isinstance(d.get("against"), str) and d.get("against")}


def _meets(thresholds: dict, view: report.RowView) -> dict | None:
    """The figures a candidate is chosen by, or None when one threshold is not met."""
    chosen = {}
    for indicator, minimum in thresholds.items():
        if isinstance(minimum, bool) or not isinstance(minimum, int | float):
            continue
        value = view.figures.composite if indicator == "composite" else view.figures.values.get(indicator)
        if value is None or value < minimum:
            return None
        chosen[indicator] = value
    return chosen


def candidates(user: User, org_unit: str | None, period_key: str | None) -> tuple[object, periods.Period, list]:
    unit = report.resolve_unit(user, org_unit)
    period = periods.parse(period_key)
    rules = evaluation_data.section(unit, "honours")
    excluded = _against(unit, period) if rules.get("exclude_upheld_appeals", True) else set()
    found = []
    subjects = rules.get("subjects") if isinstance(rules.get("subjects"), dict) else {}
    for kind, subject in subjects.items():
        if not isinstance(subject, dict) or not isinstance(subject.get("thresholds"), dict):
            continue
        level = subject.get("level") if subject.get("level") in report.LEVELS else "grid"
        role = subject.get("role") if isinstance(subject.get("role"), str) else None
        table = report.table(user, report.Ask(unit.code, period, level, role, with_previous=False))
        for view in table.rows:
            figures = _meets(subject["thresholds"], view)
            if figures is None or view.row.key in excluded:
                continue
            found.append({"kind": kind, "title": str(subject.get("name") or kind), "subject": view.row.key,
                          "name": view.row.name, "unit": view.row.unit.code, "unit_name": view.row.unit.name_zh,
                          "composite": view.figures.composite,
                          "figures": figures})
    found.sort(key=lambda c: (c["kind"], -(c["composite"] or 0), c["subject"]))
    return unit, period, found[:MAX_CANDIDATES]


def _awarded(unit, period: periods.Period) -> list[dict]:
    subjects = evaluation_data.section(unit, "honours").get("subjects")
    titles = {k: str(v.get("name") or k) for k, v in subjects.items() if isinstance(v, dict)} \
        if isinstance(subjects, dict) else {}
    root = tree.root_of(unit)
    rows = db.session.execute(select(Honour).where(Honour.root_id == root.id, Honour.period == period.key,
                                                   tree.within(Honour.unit_path, unit.path))
                              .order_by(Honour.kind, Honour.id)).scalars()
    return [{"kind": h.kind, "title": titles.get(h.kind, h.kind), "subject": h.subject, "name": h.name,
             "figures": h.figures, "period": h.period,
             "awarded_at": h.awarded_at, "instance_id": h.instance_id} for h in rows]


def roll(user: User, org_unit: str | None, period_key: str | None) -> dict:
    """``{candidates, awarded}``: the roll is public to the county; candidates to those who see the figures."""
    unit = tree.require(org_unit) if org_unit else (permissions.home_unit(user) or tree.root_unit())
    period = periods.parse(period_key)
    county = tree.root_of(unit)
    if not any(a.org_unit.path.startswith(county.path) for a in user.assignments):
        raise Forbidden(f"{user.username} is not of this county")
    listed = candidates(user, unit.code, period.key)[2] if permissions.may_view(user, unit) else None
    return {"period": period.key, "period_label": period.label(), "org_unit": unit.code, "org_unit_name": unit.name_zh,
            "candidates": listed, "awarded": _awarded(unit, period)}


def _reviews(unit, found: list[dict], level: str) -> list[dict]:
    """The candidates grouped by the unit that reviews them: each one's ancestor at ``level``."""
    groups: dict[str, dict] = {}
    for candidate in found:
        home = tree.by_code(candidate.get("unit")) or unit
        reviewer = tree.ancestor_at(home, level)
        if not reviewer.path.startswith(unit.path) or reviewer.level != level:
            reviewer = tree.UnitRef.of(unit)  # above the review level: the nomination's own unit reviews
        entry = groups.setdefault(reviewer.code, {"code": reviewer.code, "name": reviewer.name_zh, "candidates": []})
        entry["candidates"].append(candidate)
    return sorted(groups.values(), key=lambda g: g["code"])


def nominate(user: User, org_unit: str | None, period_key: str | None):
    """Start the nomination case for a period with every candidate (supervisors)."""
    unit, period, found = candidates(user, org_unit, period_key)
    if not access.capable(user, access.SUPERVISE, unit):
        raise Forbidden("supervisors start the honours nomination")
    if not found:
        raise InvalidInput(f"nobody meets the thresholds in {period.key} under {unit.code}",
                           {"period": ["no candidates"]})
    if _awarded(unit, period):
        raise Conflict(f"the honours of {period.key} at {unit.code} are already decided")
    rules = evaluation_data.section(unit, "honours")
    level, role = rules.get("review_level"), rules.get("review_role")
    payload = {"period": period.key, "period_label": period.label(), "org_unit": unit.code,
               "candidates": found, "reviews": _reviews(unit, found, level if isinstance(level, str) else "town"),
               "review_role": role if isinstance(role, str) and role else "town_leader",
               "title": f"{period.label()}荣誉评定（{unit.name_zh}）"}
    return service.start_internal(PROCESS, unit.code, payload, user)


def _withheld(chosen: list, withheld, reason, keys: tuple[str, str]) -> list[str]:
    """The subjects withheld from ``chosen`` (refused: anyone not in it, or no reason given)."""
    withheld = withheld if isinstance(withheld, list) else []
    known = {c.get("subject") for c in chosen if isinstance(c, dict)}
    stray = [w for w in withheld if w not in known]
    if stray:
        raise InvalidInput("only candidates can be withheld",
                           {keys[0]: [f"not a candidate: {', '.join(map(str, stray))}"]})
    if withheld and not str(reason or "").strip():
        raise InvalidInput("say why a candidate is withheld", {keys[1]: ["required when withholding"]})
    return withheld


def reviewed(work, instance, data: dict, actor) -> None:
    """``evaluation.honours_reviewed``: a reviewing unit's nominations, only from its candidates."""
    review = data.get("review") if isinstance(data.get("review"), dict) else {}
    chosen = review.get("candidates") if isinstance(review.get("candidates"), list) else []
    withheld = _withheld(chosen, data.get("town_withheld"), data.get("town_withheld_reason"),
                         ("town_withheld", "town_withheld_reason"))
    audit.record("honours_reviewed", actor=actor, instance=instance,
                 subject=f"honours:{review.get('code')}:{data.get('period')}",
                 detail={"nominated": len(chosen) - len(withheld), "withheld": withheld,
                         "reason": str(data.get("town_withheld_reason") or "")[:2000] or None})


def awarded(work, instance, data: dict, actor) -> None:
    """``evaluation.honours_awarded``: the roll, from the nominations the supervisor kept."""
    found = data.get("nominated") if isinstance(data.get("nominated"), list) else \
        data.get("candidates") if isinstance(data.get("candidates"), list) else []
    withheld = _withheld(found, data.get("withheld"), data.get("withheld_reason"), ("withheld", "withheld_reason"))
    unit = tree.by_code(str(data.get("org_unit") or "")) or tree.ref_by_id(instance.org_unit_id)
    root, period, now = tree.root_of(unit), str(data.get("period") or ""), clock.now()
    kept = [c for c in found if isinstance(c, dict) and c.get("subject") not in withheld]
    for candidate in kept:
        home = tree.by_code(candidate.get("unit")) or unit
        work.add(Honour(root_id=root.id, period=period, kind=str(candidate.get("kind"))[:32],
                        subject=str(candidate.get("subject"))[:128], name=str(candidate.get("name"))[:200],
                        unit_path=home.path, figures=candidate.get("figures"), instance_id=instance.id,
                        awarded_at=now))
    audit.record("honours_awarded", actor=actor, instance=instance, subject=f"honours:{root.code}:{period}",
                 detail={"awarded": len(kept), "withheld": withheld,
                         "reason": str(data.get("withheld_reason") or "")[:2000] or None})


def register(registry) -> None:
    registry.register("evaluation.honours_reviewed", reviewed)
    registry.register("evaluation.honours_awarded", awarded)

