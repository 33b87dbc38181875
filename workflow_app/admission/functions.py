"""Script functions of item-entry admission, for the models' scripts and decisions:

    admission_item_info(code)   -> the admitted item of that code in the case's county, as plain
                                   values ({code, name, list, department, status, in_force,
                                   valid_from, valid_to, units}), or None
    admission_towns(units)      -> the towns that review an application for these target units

Both run in the platform process on behalf of a sandboxed script: arguments are bounded."""

from ..org import tree
from . import coverage, items

MAX_CODE = 64
MAX_UNITS = coverage.MAX_TARGETS


def _county(ref) -> tree.UnitRef | None:
    if ref is not None:
        return tree.root_of(ref)
    root = tree.root_unit()
    return tree.UnitRef.of(root) if root is not None else None


def item_info(ref, code) -> dict | None:
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE:
        return None
    county = _county(ref)
    item = items.find(county, code) if county is not None else None
    if item is None:
        return None
    view = items.view(item)
    return {key: view[key] for key in ("code", "name", "list", "department", "status", "in_force", "valid_from",
                                       "valid_to", "units", "version")}


def towns(ref, units) -> list[str]:
    codes = units if isinstance(units, list) else [units] if isinstance(units, str) else []
    codes = [c for c in codes[:MAX_UNITS] if isinstance(c, str) and len(c) <= MAX_CODE]
    return coverage.towns_of(codes, _county(ref))


def provide(registry) -> None:
    registry.provide("admission_item_info", lambda ref: lambda code: item_info(ref, code))
    registry.provide("admission_towns", lambda ref: lambda units: towns(ref, units))
