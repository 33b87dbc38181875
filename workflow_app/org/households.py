"""Households and who may see their personal fields."""

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..errors import Forbidden
from ..extensions import db
from ..models import Household, OrgUnit, User
from . import access, tree

# Roles that serve households and so see who lives there.
SERVING_ROLES = frozenset({"grid_worker", "grid_leader", "community_staff", "community_head", "admin"})
FLAGS = ("elderly_alone", "hardship", "disability")


@dataclass
class HouseholdView:
    code: str
    org_unit: str
    address: str
    members: int | None
    elderly_alone: bool
    hardship: bool
    disability: bool
    head_name: str | None
    phone: str | None
    id_number: str | None
    notes: str | None
    personal_visible: bool


def serves(user: User, household: Household) -> bool:
    return any(access.holds(user, role, household.org_unit) for role in SERVING_ROLES)


def _mask_name(name: str | None) -> str | None:
    return f"{name[0]}{'*' * (len(name) - 1)}" if name else name


def _mask_phone(phone: str | None) -> str | None:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else (phone and "****")


def view(user: User, household: Household) -> HouseholdView:
    full = serves(user, household)
    return HouseholdView(
        code=household.code, org_unit=household.org_unit.code, address=household.address,
        members=household.members, elderly_alone=household.elderly_alone, hardship=household.hardship,
        disability=household.disability,
        head_name=household.head_name if full else _mask_name(household.head_name),
        phone=household.phone if full else _mask_phone(household.phone),
        id_number=household.id_number if full else None,
        notes=household.notes if full else None,
        personal_visible=full,
    )


def listing(user: User, unit_code: str | None = None, flag: str | None = None) -> list[HouseholdView]:
    """Households in ``unit_code``'s subtree (default: everywhere the user holds a role)."""
    query = select(Household).join(Household.org_unit)
    if unit_code:
        unit = tree.require(unit_code)
        if not access.covers(user, unit):
            raise Forbidden(f"{user.username} holds no role at {unit_code}")
        query = query.where(tree.subtree(unit))
    else:
        ranges = [tree.within(OrgUnit.path, a.org_unit.path) for a in user.assignments]
        if not ranges:
            return []
        query = query.where(or_(*ranges))
    if flag in FLAGS:
        query = query.where(getattr(Household, flag).is_(True))
    rows = db.session.execute(query.order_by(Household.code).limit(5000)).scalars()
    return [view(user, h) for h in rows]
