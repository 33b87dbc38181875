"""The coverage report (走访覆盖率): per child unit of a unit (drill-down county → grid) and month.

- ``due``: households due a visit that month (on the service day's list, or a cadence visit);
- ``met``, ``not_home``, ``refused``: of those, by their best visit of the month (met before
  refused before not at home); ``open``: not visited yet;
- ``coverage`` = met ÷ due (a visit that found nobody at home is recorded, not covered);
- ``unpaired``: households with a special-group flag and nobody paired, now;
- ``problems``: visits that found a problem; ``events_started``: the event cases they started;
  ``events_closed``: how many of those are closed; ``visits``: visits recorded;
- ``people``: visits per person in the unit.
"""

import csv
import io
from collections import defaultdict

from sqlalchemy import select

from .. import clock
from ..calendar import localities
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..models import Household, OrgUnit, ProcessInstance, User
from ..org import access, tree
from . import functions, rules
from .records import HouseholdVisit, VisitDue

RANK = {"met": 3, "refused": 2, "not_home": 1}
COUNTS = ("due", "met", "not_home", "refused", "open", "unpaired", "problems", "events_started", "events_closed",
          "visits")


def may_read(actor: User, unit) -> bool:
    return access.capable(actor, access.OVERSEE, unit) or access.capable(actor, access.ADMINISTER, unit) or \
        access.capable(actor, access.SUPERVISE, unit)


def _month(month: str | None, unit) -> str:
    if not month:
        return clock.now().astimezone(localities.calendar_for(unit).tzinfo).strftime("%Y-%m")
    try:
        rules.parse_month(month)
    except rules.RuleError as error:
        raise InvalidInput("the month is not valid", error.errors) from error
    return month


def _empty() -> dict:
    return dict.fromkeys(COUNTS, 0)


def _buckets(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's child areas, then the unit itself (for what lies on it directly, not in a child)."""
    children = list(db.session.execute(select(OrgUnit).where(OrgUnit.parent_id == unit.id, OrgUnit.kind == "area")
                                       .order_by(OrgUnit.path)).scalars())
    return [*children, unit]


def _bucket_of(path: str, buckets: list[OrgUnit]) -> str | None:
    return next((b.path for b in buckets if path.startswith(b.path)), None)


def _dues(unit: OrgUnit, month: str, buckets, rows: dict) -> None:
    dues = db.session.execute(select(VisitDue.household_id, VisitDue.unit_path, HouseholdVisit.outcome)
                              .outerjoin(HouseholdVisit, HouseholdVisit.id == VisitDue.visit_id)
                              .where(VisitDue.month == month, tree.within(VisitDue.unit_path, unit.path))).all()
    best: dict[tuple[str, int], str | None] = {}
    for household_id, path, outcome in dues:
        bucket = _bucket_of(path, buckets)
        if bucket is None:
            continue
        key = (bucket, household_id)
        if key not in best or RANK.get(outcome or "", 0) > RANK.get(best[key] or "", 0):
            best[key] = outcome
    for (bucket, _household), outcome in best.items():
        rows[bucket]["due"] += 1
        rows[bucket][outcome or "open"] += 1


def _visits(unit: OrgUnit, month: str, buckets, rows: dict) -> dict:
    found = db.session.execute(
        select(HouseholdVisit.unit_path, HouseholdVisit.problem_found, HouseholdVisit.outcome,
               ProcessInstance.status, User.username, User.name)
        .outerjoin(ProcessInstance, ProcessInstance.id == HouseholdVisit.event_instance_id)
        .outerjoin(User, User.id == HouseholdVisit.visitor_id)
        .where(HouseholdVisit.month == month, tree.within(HouseholdVisit.unit_path, unit.path))).all()
    people: dict[str, dict] = {}
    for path, problem, outcome, event_status, username, name in found:
        bucket = _bucket_of(path, buckets)
        if bucket is not None:
            row = rows[bucket]
            row["visits"] += 1
            row["problems"] += bool(problem)
            row["events_started"] += event_status is not None
            row["events_closed"] += event_status == "completed"
        if username:
            person = people.setdefault(username, {"username": username, "name": name, "visits": 0, "met": 0,
                                                  "not_home": 0, "refused": 0})
            person["visits"] += 1
            person[outcome] = person.get(outcome, 0) + 1
    return people


def _unpaired(unit: OrgUnit, buckets, rows: dict) -> None:
    found = db.session.execute(select(Household, OrgUnit.path).join(Household.org_unit).where(
        tree.subtree(unit), Household.paired_user_id.is_(None), functions.special_clause())).all()
    for household, path in found:
        bucket = _bucket_of(path, buckets)
        if bucket is not None and functions.is_special(household):
            rows[bucket]["unpaired"] += 1


def _rate(row: dict) -> dict:
    row["coverage"] = round(row["met"] / row["due"], 4) if row["due"] else None
    row["coverage_percent"] = round(100 * row["met"] / row["due"], 1) if row["due"] else None
    return row


def report(actor: User, code: str | None, month: str | None) -> dict:
    unit = tree.require(code, "org_unit") if code else tree.root_unit()
    if not may_read(actor, unit):
        raise Forbidden(f"{actor.username} may not read the coverage of {unit.code}")
    month = _month(month, unit)
    buckets = _buckets(unit)
    rows = defaultdict(_empty)
    _dues(unit, month, buckets, rows)
    people = _visits(unit, month, buckets, rows)
    _unpaired(unit, buckets, rows)
    lines = [_rate({"code": b.code, "name": b.name_zh, "name_en": b.name_en, "level": b.level, **rows[b.path]})
             for b in buckets]
    totals = _rate({key: sum(line[key] for line in lines) for key in COUNTS})
    if len(lines) > 1 and not any(lines[-1][key] for key in COUNTS):
        lines.pop()  # nothing on the unit itself: only its children are rows
    return {"org_unit": unit.code, "name": unit.name_zh, "level": unit.level, "month": month, "totals": totals,
            "rows": lines, "people": sorted(people.values(), key=lambda p: (-p["visits"], p["username"]))}


CSV_COLUMNS = (("name", "单位"), ("code", "代码"), ("due", "应走访户数"), ("met", "已见面"), ("not_home", "不在家"),
               ("refused", "拒绝走访"), ("open", "未走访"), ("coverage_percent", "覆盖率(%)"),
               ("unpaired", "未结对特殊群体户"), ("problems", "发现问题"), ("events_started", "转事件"),
               ("events_closed", "事件已办结"), ("visits", "走访次数"))


def as_csv(result: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([zh for _key, zh in CSV_COLUMNS] + ["月份"])
    for line in [*result["rows"], {**result["totals"], "name": "合计", "code": result["org_unit"]}]:
        writer.writerow([("" if line.get(key) is None else line.get(key)) for key, _zh in CSV_COLUMNS]
                        + [result["month"]])
    return ("\ufeff" + out.getvalue()).encode()
