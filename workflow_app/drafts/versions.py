"""What the designer's pages say about deployed versions, in the words people use: which version
is live (在用) and how many cases still run on each older one, who deployed it (a person's name,
or 平台初始部署 for the shipped processes deployed at set-up) and where (a unit's name)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import ProcessInstance, ProcessVersion
from ..org import people, tree

SETUP = "deployed from "  # the comment deploy_directory gives the shipped bundles


@dataclass
class VersionState:
    live: bool  # the version new cases of its locality start on
    running: int  # cases still running on it
    retired: bool


def running_counts(versions: list[ProcessVersion]) -> dict[int, int]:
    ids = [v.id for v in versions]
    if not ids:
        return {}
    rows = db.session.execute(select(ProcessInstance.version_id, func.count()).where(
        ProcessInstance.version_id.in_(ids), ProcessInstance.ended_at.is_(None),
    ).group_by(ProcessInstance.version_id)).all()
    return {version_id: count for version_id, count in rows}


def states(versions: list[ProcessVersion]) -> dict[int, VersionState]:
    """Each version's state (by id): per locality only the newest active version is live."""
    running = running_counts(versions)
    live: dict[str, int] = {}
    for version in versions:
        if version.status == "active" and version.version > live.get(version.locality, 0):
            live[version.locality] = version.version
    return {v.id: VersionState(live=v.status == "active" and live.get(v.locality) == v.version,
                               running=running.get(v.id, 0), retired=v.status != "active") for v in versions}


def is_setup(version: ProcessVersion) -> bool:
    """Deployed by the platform at set-up (the shipped bundle), not by a designer."""
    return (version.deployed_by in (None, "", "system")) and (version.comment or "").startswith(SETUP)


def deployer(version: ProcessVersion) -> str:
    """Who deployed it, by name (平台初始部署 for the set-up)."""
    if is_setup(version) or version.deployed_by in (None, "", "system"):
        return ""
    return person(version.deployed_by)


def person(username: str | None) -> str:
    """A user's name (the username only for someone the platform does not know)."""
    found = people.by_username(username) if username else None
    return (found.name if found is not None and found.name else None) or username or ""


def locality_name(code: str | None, lang: str = "zh") -> str:
    """A locality's unit name ('' for platform-wide)."""
    if not code:
        return ""
    unit = tree.by_code(code)
    return unit.name(lang) if unit is not None else code


# Where a locality variant can go, as the pickers offer it: the county and its towns and communities
# (an area unit; grids and departments run what their community or town runs).
TARGET_LEVELS = ("county", "town", "community")


@dataclass
class Target:
    code: str
    label: str  # the unit's name
    depth: int  # 0 for a county: the pickers indent by it
    level: str


def locality_choices(lang: str = "zh", current: str | None = None) -> list[Target]:
    """The units a draft or a variant can target, in tree order (county → towns → communities),
    by name; ``current`` (a stored target of another level) is kept among them."""
    units = tree.units(kinds=["area"], levels=list(TARGET_LEVELS))
    if current and all(u.code != current for u in units):
        found = tree.by_code(current)
        units = sorted([*units, found], key=lambda u: u.path) if found is not None else units
    top = min((u.depth for u in units), default=0)
    return [Target(u.code, u.name(lang), u.depth - top, u.level) for u in units]
