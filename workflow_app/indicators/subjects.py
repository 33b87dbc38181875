"""The rows of a table: the units at a level under an org unit (grids, communities, towns,
departments), or the people holding a role there, and which of the atoms belong to each."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import OrgUnit, RoleAssignment, User
from ..org import tree

AREA_LEVELS = ("county", "town", "community", "grid")
DEPARTMENT_KINDS = ("department", "external")


@dataclass
class Row:
    """One subject: a unit (``key`` its code) or a person (``key`` the username)."""

    key: str
    name: str
    name_en: str | None
    level: str
    unit: tree.UnitRef  # the unit (a person's: where they hold the role)
    user_id: int | None = None
    roles: frozenset = frozenset()


def units_under(unit: OrgUnit) -> list[OrgUnit]:
    return list(db.session.execute(select(OrgUnit).where(tree.subtree(unit)).order_by(OrgUnit.path)).scalars())


def default_level(unit: OrgUnit) -> str:
    below = {"county": "town", "town": "community", "community": "grid", "grid": "person"}
    if unit.kind != "area":
        return "department"
    return below.get(unit.level, "person")


def unit_rows(unit: OrgUnit, level: str, under: list[OrgUnit]) -> tuple[list[Row], dict[int, str]]:
    """Rows at ``level`` and each unit id's row key (units above the level belong to none)."""
    if level == "department":
        chosen = [u for u in under if u.kind in DEPARTMENT_KINDS]
    else:
        chosen = [u for u in under if u.kind == "area" and u.level == level]
    rows = [Row(u.code, u.name_zh, u.name_en, level, tree.UnitRef.of(u)) for u in chosen]
    codes = {u.id: u.code for u in chosen}
    owner: dict[int, str] = {}
    for candidate in under:
        for ancestor in reversed([int(part) for part in candidate.path.strip("/").split("/")]):
            if ancestor in codes:
                owner[candidate.id] = codes[ancestor]
                break
    return rows, owner


def names_of(usernames) -> dict[str, str]:
    """Each username's name as people see it (``system``, the platform, is 系统)."""
    wanted = sorted({u for u in usernames if u})
    found = dict(db.session.execute(select(User.username, User.name).where(User.username.in_(wanted))).all()) \
        if wanted else {}
    return {u: found.get(u) or ("系统" if u == "system" else u) for u in wanted}


def people_rows(unit: OrgUnit, roles: set[str], user_id: int | None = None) -> list[Row]:
    """People holding one of ``roles`` at a unit under ``unit`` (one row each, at their first such unit)."""
    query = (select(RoleAssignment).join(OrgUnit, OrgUnit.id == RoleAssignment.org_unit_id)
             .where(tree.subtree(unit), RoleAssignment.role_code.in_(sorted(roles)))
             .options(selectinload(RoleAssignment.user)).order_by(OrgUnit.path, RoleAssignment.id))
    if user_id is not None:
        query = query.where(RoleAssignment.user_id == user_id)
    rows: dict[int, Row] = {}
    for assignment in db.session.execute(query).scalars():
        person: User = assignment.user
        if not person.active:
            continue
        if person.id not in rows:
            held = frozenset(a.role_code for a in person.assignments)
            rows[person.id] = Row(person.username, person.name, None, "person", tree.UnitRef.of(assignment.org_unit),
                                  person.id, held)
    return list(rows.values())


def shown_names(usernames, missing: str = "—") -> dict[str, str]:
    """Each username's name for a document that leaves the platform (the bulletin's PDF and XLSX):
    never the username itself, even for a person whose name was not recorded."""
    return {u: (missing if name == u and u != "system" else name) for u, name in names_of(usernames).items()}
