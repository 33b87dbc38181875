"""What a person may start (上报) and where: the processes whose start they are allowed, the units
they may start them in, and the start form to fill."""

from dataclasses import dataclass, field

from .. import taskforms
from ..errors import DomainError
from ..models import OrgUnit, User
from ..org import tree
from ..repository import definitions
from ..repository import instances as store
from . import service


@dataclass
class StartOption:
    key: str
    name: str
    form: dict | None
    units: list[OrgUnit] = field(default_factory=list)
    choices: dict = field(default_factory=dict)


def _candidate_units(user: User) -> list[OrgUnit]:
    """Where the user works, and the grids of the communities they serve (residents pick a grid)."""
    found: dict[int, OrgUnit] = {}
    for assignment in user.assignments:
        unit = assignment.org_unit
        found.setdefault(unit.id, unit)
        if unit.level == "community":
            for grid in tree.units(["area"], levels=["grid"]):
                if grid.is_within(unit):
                    found.setdefault(grid.id, grid)
    return sorted(found.values(), key=lambda u: u.path)


def _startable_here(manifest: dict) -> bool:
    start = manifest.get("start") or {}
    internal = str((start.get("properties") or {}).get("internal", "")).lower() in ("1", "true", "yes")
    return bool(start) and not internal and not manifest.get("timer_starts")


def options(user: User) -> list[StartOption]:
    """Every process ``user`` may start somewhere, with the units where."""
    result: dict[str, StartOption] = {}
    units = _candidate_units(user)
    for summary in definitions.summaries():
        key = summary.key
        if key in result:
            continue
        for unit in units:
            try:
                version = definitions.resolve(key, unit)
                manifest = store.manifest(version)
                if not _startable_here(manifest):
                    break
                service.authorise_start(user, manifest, unit, {})
            except DomainError:
                continue
            option = result.get(key)
            if option is None:
                form = (manifest.get("forms") or {}).get((manifest.get("start") or {}).get("form") or "")
                option = result[key] = StartOption(key, version.name or key, form,
                                                   choices=taskforms.reference_choices(form, unit, user))
            option.units.append(unit)
    return sorted(result.values(), key=lambda o: o.name)


def option(user: User, key: str) -> StartOption:
    for found in options(user):
        if found.key == key:
            return found
    from ..errors import NotFound

    raise NotFound(f"{user.username} may not start {key!r}")
