"""Households, shown field class by field class as the visibility policy allows (``visibility.json``).

Serving roles (grid workers and leaders, community staff and heads, administrators) see everything
in their units; town roles see where households are and the special-group flags, not who lives
there; supervisors see counts and flags only; evaluators, designers, departments and residents see
no households at all (never a neighbour's address or flags)."""

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..errors import Forbidden
from ..extensions import db
from ..models import Household, OrgUnit, User
from . import tree, visibility

FLAGS = ("elderly_alone", "hardship", "disability")
MAX_ROWS = 5000


@dataclass
class HouseholdView:
    id: int
    code: str
    org_unit: str
    address: str | None
    members: int | None
    elderly_alone: bool | None
    hardship: bool | None
    disability: bool | None
    head_name: str | None
    phone: str | None
    id_number: str | None
    notes: str | None
    personal_visible: bool
    groups: list | None = None  # special groups a locality defines: shown with the special_groups class
    classes: tuple[str, ...] = ()


def serves(user: User, household: Household) -> bool:
    return "personal" in visibility.household_classes(user, household)


def view(user: User, household: Household) -> HouseholdView | None:
    """The household as ``user`` may see it, or None when they see none of it."""
    classes = visibility.household_classes(user, household)
    if "basic" not in classes:
        return None
    shown = visibility.household_fields(classes)

    def value(name: str):
        return getattr(household, name) if name in shown else None

    return HouseholdView(
        id=household.id, code=household.code, org_unit=household.org_unit.code, address=value("address"),
        members=value("members"),
        elderly_alone=value("elderly_alone"), hardship=value("hardship"), disability=value("disability"),
        head_name=value("head_name"), phone=value("phone"), id_number=value("id_number"), notes=value("notes"),
        personal_visible="personal" in classes,
        groups=(household.groups or []) if "special_groups" in classes else None,
        classes=tuple(c for c in visibility.HOUSEHOLD_CLASSES if c in classes))


def listing(user: User, unit_code: str | None = None, flag: str | None = None) -> list[HouseholdView]:
    """Households in ``unit_code``'s subtree (default: everywhere the user sees households), as the
    policy allows; filtering by a flag needs the ``special_groups`` class."""
    assignments = visibility.household_roles(user)
    query = select(Household).join(Household.org_unit)
    if unit_code:
        unit = tree.require(unit_code)
        if not any(unit.path.startswith(a.org_unit.path) or a.org_unit.path.startswith(unit.path)
                   for a in assignments):
            raise Forbidden(f"{user.username} may not see households at {unit_code}")
        query = query.where(tree.subtree(unit))
    if not assignments:
        return []
    query = query.where(or_(*[tree.within(OrgUnit.path, a.org_unit.path) for a in assignments]))
    if flag in FLAGS:
        query = query.where(getattr(Household, flag).is_(True))
    rows = db.session.execute(query.order_by(Household.code).limit(MAX_ROWS)).scalars()
    views = [view(user, h) for h in rows]
    if flag in FLAGS:  # who may not see the flags learns nothing from filtering by one
        return [v for v in views if v is not None and "special_groups" in v.classes]
    return [v for v in views if v is not None]
