"""Which units an item's targets cover: the rule of inheritance, as plain functions on units.

An item names targets: ``{"unit": code, "levels": [...]}``. A target covers a unit U when the
target unit is U or an ancestor of U (U inherits its ancestors' items) and U sits at or below the
highest level the target lists. Without levels, a town or county target means its communities
(and their grids), a community or grid target means itself (and what lies under it). So "all
communities of 东城街道" is ``{"unit": "dc", "levels": ["community"]}``: every community and
grid of the town is covered, the town itself is not."""

from ..models.org import LEVELS
from ..org import tree

DEPTH = {level: index for index, level in enumerate(LEVELS)}
TARGET_LEVELS = ("town", "community", "grid")
MAX_TARGETS = 500


def default_levels(level: str) -> list[str]:
    return ["community"] if DEPTH.get(level, 0) < DEPTH["community"] else [level]


def targets(units, levels=None) -> tuple[list[dict], list[str]]:
    """Targets from an application's ``units`` (codes, or {unit, levels}) and ``levels``, with
    the problems found (unknown units, units that are not areas, unknown levels)."""
    found, problems, seen = [], [], set()
    common = [lv for lv in (levels or []) if isinstance(lv, str)]
    for level in common:
        if level not in TARGET_LEVELS:
            problems.append(f"unknown level {level!r}: one of {', '.join(TARGET_LEVELS)}")
    for entry in (units or [])[:MAX_TARGETS]:
        code = entry.get("unit") if isinstance(entry, dict) else entry
        own = entry.get("levels") if isinstance(entry, dict) else None
        unit = tree.ref_by_code(code) if isinstance(code, str) else None
        if unit is None or unit.kind != "area":
            problems.append(f"unknown area unit {code!r}")
            continue
        if unit.code in seen:
            continue
        seen.add(unit.code)
        chosen = [lv for lv in (own if isinstance(own, list) else common) if lv in TARGET_LEVELS]
        chosen = chosen or default_levels(unit.level)
        found.append({"unit": unit.code, "levels": sorted(set(chosen), key=DEPTH.get)})
    return found, problems


def covers(item_targets: list[dict], unit: tree.UnitRef) -> bool:
    """Whether an item with these targets applies to ``unit`` (an area unit)."""
    if unit is None or unit.kind != "area":
        return False
    chain = {ref.code for ref in tree.ancestor_refs(unit)}
    depth = DEPTH.get(unit.level, 0)
    for target in item_targets or []:
        levels = [DEPTH[lv] for lv in target.get("levels") or [] if lv in DEPTH]
        if target.get("unit") in chain and levels and depth >= min(levels):
            return True
    return False


def target_codes(item_targets: list[dict]) -> list[str]:
    return [t["unit"] for t in item_targets or [] if isinstance(t, dict) and t.get("unit")]


def towns_of(codes, county: tree.UnitRef | None = None) -> list[str]:
    """The towns that review an application for these units: a town's own, or every town of a
    county named as a whole."""
    towns = []
    for code in list(codes or [])[:MAX_TARGETS]:
        unit = tree.ref_by_code(code) if isinstance(code, str) else None
        if unit is None or unit.kind != "area":
            continue
        if unit.level == "county":
            towns += [u.code for u in tree.units(["area"], county_of=unit, levels=["town"])]
        elif DEPTH.get(unit.level, 0) > DEPTH["county"]:
            towns.append(tree.ancestor_at(unit, "town").code)
    if county is not None:
        towns = [code for code in towns if tree.root_of(tree.ref_by_code(code)).code == county.code]
    return list(dict.fromkeys(towns))
