"""Process versions: lookups, numbering, and the most specific version for an org unit."""

from sqlalchemy import func, select

from ..errors import NotFound
from ..extensions import db
from ..models import OrgUnit, ProcessFile, ProcessVersion

DEFAULT = ""  # locality of a platform-wide definition


def latest(key: str, locality: str) -> ProcessVersion | None:
    return db.session.execute(
        select(ProcessVersion)
        .where(ProcessVersion.key == key, ProcessVersion.locality == locality)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def latest_active(key: str, locality: str) -> ProcessVersion | None:
    return db.session.execute(
        select(ProcessVersion)
        .where(ProcessVersion.key == key, ProcessVersion.locality == locality, ProcessVersion.status == "active")
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def next_number(key: str, locality: str) -> int:
    current = db.session.scalar(
        select(func.max(ProcessVersion.version)).where(
            ProcessVersion.key == key, ProcessVersion.locality == locality
        )
    )
    return (current or 0) + 1


def versions(key: str, locality: str | None = None) -> list[ProcessVersion]:
    query = select(ProcessVersion).where(ProcessVersion.key == key)
    if locality is not None:
        query = query.where(ProcessVersion.locality == locality)
    rows = list(db.session.execute(query.order_by(ProcessVersion.locality, ProcessVersion.version)).scalars())
    if not rows:
        raise NotFound(f"no process {key!r}" + (f" for {locality or 'the platform'}" if locality is not None else ""))
    return rows


def summaries() -> list[ProcessVersion]:
    """The newest version of every (key, locality) series."""
    newest = (
        select(ProcessVersion.key, ProcessVersion.locality, func.max(ProcessVersion.version).label("v"))
        .group_by(ProcessVersion.key, ProcessVersion.locality)
        .subquery()
    )
    return list(db.session.execute(
        select(ProcessVersion)
        .join(newest, (ProcessVersion.key == newest.c.key) & (ProcessVersion.locality == newest.c.locality)
              & (ProcessVersion.version == newest.c.v))
        .order_by(ProcessVersion.key, ProcessVersion.locality)
    ).scalars())


def get(key: str, number: int, locality: str = DEFAULT) -> ProcessVersion:
    version = db.session.execute(
        select(ProcessVersion).where(
            ProcessVersion.key == key, ProcessVersion.locality == locality, ProcessVersion.version == number
        )
    ).scalar_one_or_none()
    if version is None:
        where = f" for {locality}" if locality else ""
        raise NotFound(f"no version {number} of {key!r}{where}")
    return version


def file(version: ProcessVersion, name: str) -> ProcessFile:
    found = db.session.execute(
        select(ProcessFile).where(ProcessFile.version_id == version.id, ProcessFile.name == name)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"version {version.version} of {version.key!r} has no file {name!r}")
    return found


def _locality_chain(unit: OrgUnit) -> list[str]:
    """The codes of ``unit`` and its ancestors, nearest first (the materialized path holds the ids)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    codes = dict(db.session.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.id.in_(ids))).all())
    return [codes[i] for i in reversed(ids) if i in codes]


def resolve(key: str, unit: OrgUnit) -> ProcessVersion:
    """The newest active version of ``key`` from the most specific locality on ``unit``'s path."""
    localities = _locality_chain(unit) + [DEFAULT]
    rows = db.session.execute(
        select(ProcessVersion)
        .where(ProcessVersion.key == key, ProcessVersion.status == "active",
               ProcessVersion.locality.in_(localities))
        .order_by(ProcessVersion.version.desc())
    ).scalars().all()
    for locality in localities:
        for row in rows:
            if row.locality == locality:
                return row
    raise NotFound(f"no active definition of process {key!r} applies to {unit.code}")


def active_manifests() -> list[dict]:
    """The manifest of the newest active version of every (key, locality) series."""
    newest = (
        select(ProcessVersion.key, ProcessVersion.locality, func.max(ProcessVersion.version).label("v"))
        .where(ProcessVersion.status == "active")
        .group_by(ProcessVersion.key, ProcessVersion.locality)
        .subquery()
    )
    return list(db.session.execute(
        select(ProcessVersion.manifest)
        .join(newest, (ProcessVersion.key == newest.c.key) & (ProcessVersion.locality == newest.c.locality)
              & (ProcessVersion.version == newest.c.v))
    ).scalars())


def active_at(localities: list[str]) -> list[ProcessVersion]:
    """Active versions of any process at these localities (newest first)."""
    return list(db.session.execute(
        select(ProcessVersion)
        .where(ProcessVersion.status == "active", ProcessVersion.locality.in_(localities))
        .order_by(ProcessVersion.version.desc())
    ).scalars())
