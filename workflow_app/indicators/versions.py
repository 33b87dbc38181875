"""Versions of the indicator definitions: deploying them (a changed document is version n+1, an
identical one changes nothing), and which apply to a unit at a moment.

The platform-wide document is locality ''; a locality (an org unit's code) deploys an overlay
with only the indicators it changes. A unit is evaluated with the platform document in force,
overlaid by those of the localities on its path from the county down, each the newest deployed
at the moment evaluated (a closed period: its end; an open one: now). A version deployed later
never changes a closed period."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, g
from sqlalchemy import func, select

from .. import audit, clock, uow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..org import access, tree
from ..repository import instances as store
from . import document as doc
from . import formulas
from .tables import Cursor, DefinitionVersion

FILE_NAME = "indicators.json"
DIRECTORY = "indicators"


@dataclass
class DeployResult:
    version: DefinitionVersion
    unchanged: bool


@dataclass(frozen=True)
class Resolved:
    """The merged document for a chain of localities, and the versions it was made of."""

    document: dict
    versions: tuple[DefinitionVersion, ...]

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(v.id for v in self.versions)

    @property
    def base(self) -> DefinitionVersion:
        return self.versions[0]

    def refs(self) -> list[dict]:
        return [{"locality": v.locality or None, "locality_name": place(v.locality), "version": v.version,
                 "sha256": v.sha256} for v in self.versions]


def place(code: str) -> str | None:
    """A locality's name (its code when the unit is gone), None for the county-wide document."""
    ref = tree.ref_by_code(code) if code else None
    return ref.name_zh if ref is not None else (code or None)


def _all() -> list[DefinitionVersion]:
    """Every version (a few dozen rows), read once per request."""
    if "indicator_versions" not in g:
        g.indicator_versions = list(db.session.execute(
            select(DefinitionVersion).order_by(DefinitionVersion.locality, DefinitionVersion.version)).scalars())
    return g.indicator_versions


def _forget() -> None:
    g.pop("indicator_versions", None)
    g.pop("indicator_resolved", None)


def newest(locality: str = "") -> DefinitionVersion | None:
    rows = [v for v in _all() if v.locality == locality]
    return rows[-1] if rows else None


def in_force(locality: str, at: datetime) -> DefinitionVersion | None:
    """The newest version of ``locality`` deployed by ``at``; for the platform document, its first
    version when none was deployed that early."""
    rows = [v for v in _all() if v.locality == locality]
    found = [v for v in rows if v.deployed_at <= at]
    if found:
        return found[-1]
    return rows[0] if rows and not locality else None


def resolve(unit, at: datetime, ids: dict | None = None) -> Resolved:
    """The definitions for ``unit`` (an OrgUnit or UnitRef) at moment ``at``; or, for a frozen
    month, from the versions it was frozen with (``ids``: {locality: version id})."""
    chain = [ref.code for ref in tree.ancestor_refs(unit)]
    if ids is not None:
        rows = {v.id: v for v in _all()}
        versions = [rows[ids[""]]] + [rows[ids[code]] for code in chain if ids.get(code) in rows]
    else:
        versions = [in_force("", at)]
        if versions[0] is None:
            ensure_defaults()
            versions = [in_force("", at)]
        localities = {v.locality for v in _all() if v.locality}
        versions += [v for v in (in_force(code, at) for code in chain if code in localities) if v is not None]
    cache = g.setdefault("indicator_resolved", {})
    key = tuple(v.id for v in versions)
    if key not in cache:
        merged = versions[0].document
        for overlay in versions[1:]:
            merged = doc.merge(merged, overlay.document)
        cache[key] = Resolved(merged, tuple(versions))
    return cache[key]


def check_formulas(expressions: list[str]) -> None:
    """Run each formula once in the engine's sandbox with every name set to 1."""
    problems = {}
    for expression in expressions:
        names = sorted(doc.formula_names(expression) - set(doc.FORMULA_FUNCTIONS))
        try:
            value = store.engine().evaluate(expression, dict.fromkeys(names, 1), formulas.FUNCTIONS)
        except Exception as error:  # whatever the sandbox refuses is the designer's to fix
            problems.setdefault("formula", []).append(f"{expression}: {error}")
            continue
        if value is not None and not isinstance(value, int | float):
            problems.setdefault("formula", []).append(f"{expression}: gives {type(value).__name__}, not a number")
    if problems:
        raise InvalidInput("a formula does not evaluate", problems)


def validate(document: dict, locality: str) -> dict:
    """The document as it is stored (for a locality: its overlay), after checking the whole as it
    would apply; InvalidInput if anything is wrong."""
    if not locality:
        check_formulas(doc.check(document))
        return document
    base = newest("")
    if base is None:
        raise InvalidInput("deploy the platform-wide definitions before a locality's",
                           {"locality": ["no platform-wide definitions yet"]})
    overlay = doc.overlay_of(document, base.document)
    doc.check_overlay(overlay)
    check_formulas(doc.check(doc.merge(base.document, overlay)))
    return overlay


def deploy(content: bytes | str | dict, *, locality: str | None = None, actor=None,
           comment: str | None = None) -> DeployResult:
    """Deploy definitions (a designer's action; ``actor`` None is the platform's own)."""
    document = content if isinstance(content, dict) else doc.load(content)
    locality = (locality or "").strip()
    unit = tree.require(locality, "locality") if locality else None
    if actor is not None:
        access.require_designer(actor, unit)
    document = validate(document, locality)
    result = uow.run(lambda work: _store(document, locality, actor, comment))
    _forget()
    return result


def _store(document: dict, locality: str, actor, comment) -> DeployResult:
    sha = doc.digest(document)
    latest = db.session.execute(select(DefinitionVersion).where(DefinitionVersion.locality == locality)
                                .order_by(DefinitionVersion.version.desc()).limit(1)).scalar_one_or_none()
    if latest is not None and latest.sha256 == sha:
        return DeployResult(latest, True)
    version = DefinitionVersion(locality=locality, version=(latest.version + 1) if latest else 1, sha256=sha,
                                document=document, deployed_at=clock.now(),
                                deployed_by=getattr(actor, "username", None), comment=comment)
    db.session.add(version)
    audit.record("indicators_deployed", actor=actor, subject=f"indicators@{locality or '*'}:v{version.version}",
                 detail={"sha256": sha, "comment": comment})
    return DeployResult(version, False)


def shipped_path() -> Path:
    return Path(current_app.config["PROCESSES_DIR"]) / DIRECTORY / FILE_NAME


def ensure_defaults() -> DefinitionVersion | None:
    """Deploy the shipped defaults when no platform-wide definitions exist yet."""
    if newest("") is not None:
        return newest("")
    path = shipped_path()
    if not path.is_file():
        raise NotFound(f"no indicator definitions are deployed and {path} does not exist")
    result = deploy(path.read_bytes(), comment="the shipped defaults, deployed on first use")
    return result.version


def deploy_directory(processes_dir: str | None = None) -> list[tuple[str, str]]:
    """``flask deploy``: processes/indicators/indicators.json, then each
    processes/localities/<unit>/indicators/indicators.json from the top of the tree down.
    Returns (where, what happened) per file."""
    root = Path(processes_dir or current_app.config["PROCESSES_DIR"])
    results = []
    base = root / DIRECTORY / FILE_NAME
    if base.is_file():
        results.append(("*", _describe(deploy(base.read_bytes(), comment=f"deployed from {base.parent.name}"))))
    variants = []
    for path in sorted((root / "localities").glob(f"*/{DIRECTORY}/{FILE_NAME}")):
        code = path.parent.parent.name
        unit = tree.by_code(code)
        if unit is None:
            results.append((code, f"skipped: org unit {code!r} does not exist"))
            continue
        variants.append((unit.depth, code, path))
    for _depth, code, path in sorted(variants):
        results.append((code, _describe(deploy(path.read_bytes(), locality=code, comment=f"deployed from {code}"))))
    return results


def _describe(result: DeployResult) -> str:
    state = "unchanged" if result.unchanged else "deployed"
    return f"v{result.version.version} {state} ({result.version.sha256[:12]})"


def history(locality: str = "") -> list[DefinitionVersion]:
    return [v for v in _all() if v.locality == locality]


def localities() -> list[str]:
    return sorted({v.locality for v in _all() if v.locality})


def ledger_document() -> dict:
    """The platform-wide document whose ledger rules the rollups follow (the newest)."""
    latest = newest("") or ensure_defaults()
    return latest.document


def rules_changed(cursor: Cursor) -> bool:
    return cursor.rules is not None and cursor.rules != doc.rules_digest(ledger_document())


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(DefinitionVersion)) or 0
