"""The admitted-items lists as people read them: every signed-in user may read them (they are
published lists, 挂牌公开); only the admission processes and a county's import change them."""

from ..errors import InvalidInput
from ..models import User
from ..org import tree
from . import items
from .records import LISTS, STATUSES

MAX_LIST = 2000


def _unit(code: str | None, actor: User) -> tuple[tree.UnitRef | None, tree.UnitRef]:
    """The unit asked about (None: the whole county) and its county."""
    if code:
        unit = tree.UnitRef.of(tree.require(code))
        return unit, items.county_of(unit)
    home = min((a.org_unit for a in actor.assignments), key=lambda u: len(u.path), default=None)
    root = home if home is not None else tree.root_unit()
    if root is None:
        raise InvalidInput("there is no county yet", {"org_unit": ["no org units"]})
    return None, items.county_of(tree.UnitRef.of(root))


def _check(status: str | None, list_name: str | None) -> None:
    if status not in (None, "all", *STATUSES):
        raise InvalidInput(f"unknown status {status!r}", {"status": [f"one of {', '.join(STATUSES)} or all"]})
    if list_name not in (None, *LISTS):
        raise InvalidInput(f"unknown list {list_name!r}", {"list": [f"one of {', '.join(LISTS)}"]})


def for_unit(actor: User, org_unit: str | None = None, status: str | None = None, list_name: str | None = None,
             department: str | None = None) -> list[dict]:
    """Items for ``org_unit`` (with those it inherits); without ``status`` only those in force today."""
    _check(status, list_name)
    unit, county = _unit(org_unit, actor)
    day = items.today(county)
    found = items.listing(unit, county, status, list_name, department)
    return [items.view(item, day) for item in found[:MAX_LIST]]


def item(actor: User, code: str, county: str | None = None) -> dict:
    """One item with its versions (decisions, changes, withdrawal) and the list versions it made."""
    _, home = _unit(county, actor)
    return items.history(items.require(code, home))


def unit_list(actor: User, org_unit: str) -> dict:
    """A unit's list: the items in force for it today and the versions of the lists it inherits."""
    unit = tree.UnitRef.of(tree.require(org_unit))
    county = items.county_of(unit)
    day = items.today(county)
    entries = items.list_history(unit)
    return {"org_unit": unit.code, "name": unit.name_zh, "level": unit.level,
            "items": [items.view(i, day) for i in items.listing(unit, county)],
            "versions": [items.entry_view(e) for e in entries]}


def page(actor: User, org_unit: str | None, status: str | None = None, list_name: str | None = None) -> dict:
    """What the list page shows: the unit picker, the items, and the unit's list versions."""
    _check(status, list_name)
    unit, county = _unit(org_unit, actor)
    units = tree.units(["area"], county_of=county, levels=["county", "town", "community"])
    day = items.today(county)
    found = items.listing(unit, county, status, list_name)
    return {"unit": unit, "county": county, "units": units, "status": status, "list": list_name,
            "items": [items.view(i, day) for i in found[:MAX_LIST]],
            "versions": [items.entry_view(e) for e in items.list_history(unit, 100)] if unit else []}
