"""Honours (荣誉) by merit, never by quotas: for a period the platform lists as candidates every
grid and every person whose figures meet all the thresholds of the locality's data
(``honours.subjects``: per kind of subject its level, role and ``thresholds`` by indicator id, or
``composite`` for the subject's primary composite), leaving out anyone against whom an appeal
was upheld in that period. There is no cap. The ``honour_nomination`` model decides (the
supervisor may withhold a candidate, saying why, but never add one); ``evaluation.honours_awarded``
writes the roll, public to the whole county."""

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
                          "name": view.row.name, "unit": view.row.unit.code, "composite": view.figures.composite,
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


def nominate(user: User, org_unit: str | None, period_key: str | None):
    """Start the nomination case for a period with every candidate (supervisors)."""
    unit, period, found = candidates(user, org_unit, period_key)
    if not access.capable(user, access.SUPERVISE, unit):
        raise Forbidden("supervisors start the honours nomination")
    if not found:
        raise InvalidInput(f"nobody meets the thresholds in {period.label()}", {"period": ["no candidates"]})
    if _awarded(unit, period):
        raise Conflict(f"the honours of {period.label()} at {unit.code} are already decided")
    payload = {"period": period.key, "period_label": period.label(), "org_unit": unit.code,
               "candidates": found, "title": f"{period.label()}荣誉评定（{unit.name_zh}）"}
    return service.start_internal(PROCESS, unit.code, payload, user)


def awarded(work, instance, data: dict, actor) -> None:
    """``evaluation.honours_awarded``: the roll, from the candidates the model kept."""
    found = data.get("candidates") if isinstance(data.get("candidates"), list) else []
    withheld = data.get("withheld") if isinstance(data.get("withheld"), list) else []
    known = {c.get("subject") for c in found if isinstance(c, dict)}
    stray = [w for w in withheld if w not in known]
    if stray:
        raise InvalidInput("only candidates can be withheld",
                           {"withheld": [f"not a candidate: {', '.join(map(str, stray))}"]})
    if withheld and not str(data.get("withheld_reason") or "").strip():
        raise InvalidInput("say why a candidate is withheld", {"withheld_reason": ["required when withholding"]})
    unit = tree.by_code(str(data.get("org_unit") or "")) or tree.ref_by_id(instance.org_unit_id)
    root, period, now = tree.root_of(unit), str(data.get("period") or ""), clock.now()
    for candidate in found:
        if not isinstance(candidate, dict) or candidate.get("subject") in withheld:
            continue
        home = tree.by_code(candidate.get("unit")) or unit
        work.add(Honour(root_id=root.id, period=period, kind=str(candidate.get("kind"))[:32],
                        subject=str(candidate.get("subject"))[:128], name=str(candidate.get("name"))[:200],
                        unit_path=home.path, figures=candidate.get("figures"), instance_id=instance.id,
                        awarded_at=now))
    audit.record("honours_awarded", actor=actor, instance=instance, subject=f"honours:{root.code}:{period}",
                 detail={"awarded": len(known) - len(withheld), "withheld": withheld,
                         "reason": str(data.get("withheld_reason") or "")[:2000] or None})


def register(registry) -> None:
    registry.register("evaluation.honours_awarded", awarded)

