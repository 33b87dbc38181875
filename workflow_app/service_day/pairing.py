"""专人结对: one person (a cadre, a party member, a grid worker) paired with many households.

A household has at most one paired person; a person may take on more than the locality's cap
(default 15, the 党员联户 norm of 5–15), but every pairing past it answers with a warning. Who
serves a household (its grid's workers and leader, its community's staff, administrators: the
``personal`` class of the visibility policy) sets its pairing, one by one or by CSV import (all
rows or none). A household with a special-group flag and nobody paired is a gap.
"""

import csv
from dataclasses import dataclass, field

from sqlalchemy import func, select

from .. import audit, clock, uow
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..models import Household, OrgUnit, User
from ..org import access, exchange, households, people, tree, visibility
from . import functions, settings, visits
from .visits import find_household

MAX_ROWS = 5000
HOUSEHOLD_KEYS = ("household", "household_code", "code", "household_id")  # a code, or the household's id


@dataclass
class Pairing:
    household_id: int
    code: str
    username: str | None
    name: str | None
    paired_at: object
    count: int = 0
    cap: int = settings.DEFAULTS["pairing_cap"]
    warnings: list = field(default_factory=list)


def _require_serves(actor: User, household: Household) -> None:
    if not households.serves(actor, household):
        raise Forbidden(f"{actor.username} does not serve household {household.code}")


def _person(username) -> User:
    user = people.by_username(username) if isinstance(username, str) and 0 < len(username) <= 64 else None
    if user is None or not user.active:
        raise InvalidInput(f"no active user {username!r}", {"username": ["an active user's login"]})
    if not user.assignments or all(access.is_public(a.role_code) for a in user.assignments):
        raise InvalidInput(f"{username} holds no staff role", {"username": ["a cadre, party member or grid worker"]})
    return user


def load(user_id: int) -> int:
    return loads([user_id]).get(user_id, 0)


def loads(user_ids) -> dict[int, int]:
    """How many households each person is paired with."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(Household.paired_user_id, func.count()).where(
        Household.paired_user_id.in_(ids)).group_by(Household.paired_user_id)).all())


def _warnings(user: User, count: int, cap: int) -> list[dict]:
    if count <= cap:
        return []
    return [{"code": "over_cap", "count": count, "cap": cap,
             "message": f"{user.name}（{user.username}）已结对 {count} 户，超过上限 {cap} 户",
             "message_en": f"{user.username} is paired with {count} households, more than the cap of {cap}"}]


def _view(household: Household, counts: dict | None = None) -> Pairing:
    user = household.paired_user if household.paired_user_id else None
    cap = settings.effective(household.org_unit).pairing_cap
    count = ((counts if counts is not None else loads([user.id])).get(user.id, 0)) if user else 0
    return Pairing(household.id, household.code, user.username if user else None, user.name if user else None,
                   household.paired_at, count, cap, _warnings(user, count, cap) if user else [])


def pair(actor: User, reference: str, username: str) -> Pairing:
    household = find_household(reference)
    _require_serves(actor, household)
    person = _person(username)

    def action(work) -> Pairing:
        if household.paired_user_id != person.id:
            _hand_over(actor, household, household.paired_user_id, person)
            household.paired_user, household.paired_at = person, clock.now()
            household.paired_user_id = person.id
        audit.record("household_paired", actor=actor, subject=f"household:{household.code}",
                     detail={"username": person.username})
        db.session.flush()  # the person's load counts this household
        return _view(household)

    return uow.run(action)


def unpair(actor: User, reference: str) -> Pairing:
    household = find_household(reference)
    _require_serves(actor, household)

    def action(work) -> Pairing:
        previous = household.paired_user.username if household.paired_user_id else None
        _hand_over(actor, household, household.paired_user_id, None)
        household.paired_user_id, household.paired_user, household.paired_at = None, None, None
        audit.record("household_unpaired", actor=actor, subject=f"household:{household.code}",
                     detail={"username": previous})
        db.session.flush()
        return _view(household)

    return uow.run(action)


def set_groups(actor: User, reference: str, groups: list[str]):
    """Set the special groups a locality defines for a household (beyond the three flags)."""
    household = find_household(reference)
    _require_serves(actor, household)
    codes = list(dict.fromkeys(g for g in groups if isinstance(g, str)))[:20] or None

    def action(work):
        household.groups = codes
        audit.record("household_groups_set", actor=actor, subject=f"household:{household.code}",
                     detail={"groups": codes})
        return household

    uow.run(action)
    return households.view(actor, household)


def _hand_over(actor: User, household: Household, previous_id: int | None, person: User | None,
               open_tasks: dict | None = None) -> None:
    """The household's open visits follow its pairing: those its previous person (or nobody) held go
    to the new one; unpaired, they go back to the grid's workers. ``open_tasks``: the open visit
    tasks by household, when the caller looked them up for many households at once."""
    tasks = open_tasks if open_tasks is not None else visits.open_visit_tasks_of([household.id])
    for task in tasks.get(household.id, []):
        if task.assignee_id not in (None, previous_id) or task.assignee_id == getattr(person, "id", None):
            continue
        task.assignee_id = person.id if person else None
        task.claimed_at = clock.now() if person else None
        audit.record("task_reassigned", actor=actor, instance=task.instance, task=task,
                     detail={"to": getattr(person, "username", None), "reason": "pairing"})


# --- import ------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    rows: int = 0
    paired: int = 0
    unpaired: int = 0
    unchanged: int = 0
    warnings: list = field(default_factory=list)


def _row_problems(actor, row: dict, known: dict, seen: set) -> tuple[list, tuple | None]:
    code = next((str(row[k]).strip() for k in HOUSEHOLD_KEYS if str(row.get(k) or "").strip()), "")
    username = str(row.get("username") or "").strip()
    household = known.get(code) or known.get(f"#{code}")
    if household is None:
        return [("household", f"unknown household {code!r}" if code else "required")], None
    problems = []
    if code in seen:
        problems.append(("household", f"{code!r} appears twice in the file"))
    seen.add(code)
    if not households.serves(actor, household):
        problems.append(("household", f"you do not serve household {code}"))
    person = None
    if username:
        try:
            person = _person(username)
        except InvalidInput as error:
            problems.append(("username", error.message))
    return problems, (household, person)


def import_rows(actor: User, content: bytes, fmt: str) -> ImportReport:
    """Pair households from a CSV (or JSON) of ``household``, ``username`` rows; an empty username
    clears the pairing. All rows or none: errors name every bad row."""
    try:
        rows, first = exchange.parse(content, fmt)
    except (UnicodeDecodeError, ValueError, csv.Error) as error:
        raise InvalidInput(f"cannot read the file: {error}", {"file": [str(error)]}) from error
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows at once", {"file": [f"{len(rows)} rows"]})
    codes = {str(r.get(k) or "").strip() for r in rows for k in HOUSEHOLD_KEYS} - {""}
    ids = {int(c) for c in codes if c.isascii() and c.isdigit() and len(c) < 10}
    found = db.session.execute(select(Household).where(Household.code.in_(codes) | Household.id.in_(ids))).scalars()
    known = {}
    for household in found:
        known[household.code] = known[f"#{household.id}"] = household
    errors, plan, seen = [], [], set()
    for index, row in enumerate(rows):
        problems, target = _row_problems(actor, row, known, seen)
        errors.extend({"row": first + index, "field": f, "message": m} for f, m in problems)
        if not problems:
            plan.append(target)
    if errors:
        raise InvalidInput(f"{len({e['row'] for e in errors})} row(s) have errors; nothing was imported", errors)
    return uow.run(lambda work: _apply(actor, plan, len(rows)))


def _apply(actor: User, plan: list, total: int) -> ImportReport:
    report, now = ImportReport(rows=total), clock.now()
    changing = [h.id for h, person in plan if (person.id if person else None) != h.paired_user_id]
    open_tasks = visits.open_visit_tasks_of(changing)
    for household, person in plan:
        if (person.id if person else None) == household.paired_user_id:
            report.unchanged += 1
            continue
        _hand_over(actor, household, household.paired_user_id, person, open_tasks)
        household.paired_user, household.paired_at = person, now if person else None
        household.paired_user_id = person.id if person else None
        report.paired += person is not None
        report.unpaired += person is None
    db.session.flush()
    people_paired = {person.id: person for _h, person in plan if person is not None}
    for person in people_paired.values():
        cap = min(settings.effective(h.org_unit).pairing_cap for h, p in plan if p is person)
        report.warnings.extend(_warnings(person, load(person.id), cap))
    audit.record("pairings_imported", actor=actor, subject="import:pairings",
                 detail={"rows": report.rows, "paired": report.paired, "unpaired": report.unpaired})
    return report


# --- a unit's pairings and gaps ------------------------------------------------------------------

@dataclass
class UnitPairings:
    unit: OrgUnit
    households: list  # (HouseholdView, Pairing, special: bool | None)
    people: list  # {username, name, count, cap, over}
    gaps: int
    may_pair: bool


def _in_unit(actor: User, code: str | None) -> tuple[OrgUnit, list[Household]]:
    unit = tree.require(code, "org_unit") if code else None
    if unit is None:
        raise InvalidInput("say which unit", {"org_unit": ["required"]})
    if not any(unit.path.startswith(a.org_unit.path) for a in visibility.household_roles(actor)):
        raise Forbidden(f"{actor.username} may not see households at {unit.code}")
    rows = db.session.execute(select(Household).join(Household.org_unit).where(tree.subtree(unit))
                              .order_by(Household.code).limit(MAX_ROWS)).scalars().all()
    return unit, rows


def unit_pairings(actor: User, code: str | None) -> UnitPairings:
    """The households of a unit with their pairings, each person's load against the cap, and gaps."""
    unit, rows = _in_unit(actor, code)
    counts = loads(h.paired_user_id for h in rows if h.paired_user_id)
    listed, people_load, gap_count = [], {}, 0
    for household in rows:
        shown = households.view(actor, household)
        if shown is None:
            continue
        pairing = _view(household, counts)
        special = functions.is_special(household) if "special_groups" in shown.classes else None
        gap_count += bool(special) and pairing.username is None
        listed.append((shown, pairing, special))
        if pairing.username:
            people_load[pairing.username] = {"username": pairing.username, "name": pairing.name,
                                             "count": pairing.count, "cap": pairing.cap,
                                             "over": pairing.count > pairing.cap}
    may_pair = bool(rows) and households.serves(actor, rows[0])
    ranked = sorted(people_load.values(), key=lambda p: (-p["count"], p["username"]))
    return UnitPairings(unit, listed, ranked, gap_count, may_pair)


def gaps(actor: User, code: str | None) -> list:
    """Special-group households in a unit that nobody is paired with (as the policy shows them)."""
    _unit, rows = _in_unit(actor, code)
    found = []
    for household in rows:
        if household.paired_user_id is None and functions.is_special(household):
            shown = households.view(actor, household)
            if shown is not None and "special_groups" in shown.classes:
                found.append(shown)
    return found


def candidates(unit) -> list[User]:
    """People who may be paired in ``unit``: staff at its grid, community and town (for the page)."""
    from ..models import RoleAssignment

    ids = [r.id for r in tree.ancestor_refs(unit) if r.level in ("grid", "community", "town")]
    rows = db.session.execute(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
                              .where(RoleAssignment.org_unit_id.in_(ids), User.active.is_(True)).distinct()
                              .order_by(User.username).limit(200)).scalars()
    return [u for u in rows if not all(access.is_public(a.role_code) for a in u.assignments)]
