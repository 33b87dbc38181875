"""Locality variants as overlays on their parent version.

A variant of process K for unit U holds only the files it changes. Everything else comes from its
*parent*: the newest active version of K at U's nearest ancestor that has one, else the
platform-wide default. Each variant version records the parent version it overlays (its base)
and is stored as the merged bundle, so running, listing and downloading need no merging.

A new parent version never changes a variant by itself: the variant keeps its base, shows as
*behind* (rebasing would change what it runs), and its designer rebases it after reading the diff.
Deploying a variant's changed files overlays them on the variant's own base, not on a newer
parent. A file identical to the base's is inherited, whoever uploads it.

Variants deployed before overlays existed were full copies; the upgrade (migration 0006) records
the base of those it can. One without a base is shown as a full copy and rebasing makes it an
overlay (its files identical to the parent's become inherited).
"""

from dataclasses import dataclass, field

from .engine import modeldiff
from .errors import NotFound
from .models import OrgUnit, ProcessVersion
from .org import tree
from .repository import definitions


@dataclass
class Plan:
    """What to compile for a deploy: the merged files, which of them the variant holds, its base."""

    files: list[tuple[str, bytes]]
    own: set[str]
    base: ProcessVersion | None = None

    def inherited(self, stored: list[tuple[str, bytes, str]]) -> set[str]:
        """Stored files taken unchanged from the base."""
        base = contents(self.base) if self.base is not None else {}
        return {name for name, content, _ in stored if name not in self.own and base.get(name) == content}


def contents(version: ProcessVersion | None) -> dict[str, bytes]:
    return {f.name: f.content for f in version.files} if version is not None else {}


def own_contents(version: ProcessVersion) -> dict[str, bytes]:
    """The files a variant holds itself (all of them for a full copy without a base)."""
    if version.base_id is None:
        return contents(version)
    return {f.name: f.content for f in version.own_files}


def parent_of(key: str, unit: OrgUnit) -> ProcessVersion | None:
    """The version a variant at ``unit`` overlays today: nearest ancestor's, else the default's."""
    for ancestor in reversed(tree.ancestors(unit)[:-1]):
        found = definitions.latest_active(key, ancestor.code)
        if found is not None:
            return found
    return definitions.latest_active(key, definitions.DEFAULT)


def key_for(unit: OrgUnit, names: list[str]) -> str | None:
    """The one process whose bundle, at ``unit`` or above, has files of all these names (a
    variant's upload of a DMN or a form alone says which process it changes that way)."""
    localities = [u.code for u in tree.ancestors(unit)] + [definitions.DEFAULT]
    keys = {v.key for v in definitions.active_at(localities) if set(names) <= {f.name for f in v.files}}
    return keys.pop() if len(keys) == 1 else None


def current(key: str, locality: str) -> ProcessVersion | None:
    return definitions.latest_active(key, locality) or definitions.latest(key, locality)


def _overlay(base: ProcessVersion | None, own: dict[str, bytes]) -> Plan:
    below = contents(base)
    own = {name: content for name, content in own.items() if below.get(name) != content}
    merged = {**below, **own}
    return Plan(sorted(merged.items()), set(own), base)


def plan_deploy(key: str | None, unit: OrgUnit, uploaded: list[tuple[str, bytes]], replace: bool) -> Plan:
    """Uploaded files of a variant, overlaid on what it has: on its base and its own files (or,
    with ``replace``, on its base alone: the upload is the whole overlay, as in ``processes/``)."""
    if key is None:
        return Plan(list(uploaded), {name for name, _ in uploaded})
    existing = current(key, unit.code)
    if existing is None:
        base, own = parent_of(key, unit), {}
    elif existing.base_id is None:  # a full copy: the upload changes it, as before overlays
        base, own = None, ({} if replace else contents(existing))
    else:
        base, own = existing.base, ({} if replace else own_contents(existing))
    return _overlay(base, {**own, **dict(uploaded)})


def plan_rebase(variant: ProcessVersion, parent: ProcessVersion) -> Plan:
    return _overlay(parent, own_contents(variant))


@dataclass
class Status:
    """Where a variant stands against its parent, and what a rebase would change."""

    key: str
    locality: str
    version: ProcessVersion
    parent: ProcessVersion | None
    plan: Plan | None
    changes: list = field(default_factory=list)

    @property
    def base(self) -> ProcessVersion | None:
        return self.version.base

    @property
    def overlay(self) -> bool:
        return self.version.base_id is not None

    @property
    def behind(self) -> bool:
        return bool(self.changes)

    @property
    def own(self) -> list[str]:
        return sorted(own_contents(self.version))

    @property
    def inherited(self) -> list[str]:
        return sorted(f.name for f in self.version.files if f.inherited)

    def as_dict(self) -> dict:
        return {"key": self.key, "locality": self.locality, "version": self.version.version,
                "status": self.version.status, "overlay": self.overlay, "base": _ref(self.base),
                "parent": _ref(self.parent), "behind": self.behind, "own_files": self.own,
                "inherited_files": self.inherited, "changes": [c.as_dict() for c in self.changes]}


def _ref(version: ProcessVersion | None) -> dict | None:
    if version is None:
        return None
    return {"locality": version.locality or None, "version": version.version, "sha256": version.sha256}


def status(key: str, locality: str) -> Status:
    """The newest version of ``key`` at ``locality`` against the parent it would rebase on."""
    unit = tree.get(locality)
    variant = current(key, unit.code)
    if variant is None:
        raise NotFound(f"no variant of '{key}' for {locality}")
    parent = parent_of(key, unit)
    if parent is None:
        return Status(key, unit.code, variant, None, None)
    plan = plan_rebase(variant, parent)
    return Status(key, unit.code, variant, parent, plan, modeldiff.bundle_changes(contents(variant), dict(plan.files)))


def statuses(key: str) -> list[Status]:
    """Every locality variant of ``key`` (for the designer's page)."""
    localities = sorted({v.locality for v in definitions.versions(key) if v.locality})
    return [status(key, locality) for locality in localities if tree.by_code(locality) is not None]


def replacing(key: str, unit: OrgUnit) -> tuple[ProcessVersion | None, ProcessVersion | None, list]:
    """What creating a fresh variant (the parent's files, nothing of its own) would change for
    ``unit``: (the existing variant, the parent, the changes) — no changes if there is none."""
    existing, parent = current(key, unit.code), parent_of(key, unit)
    if existing is None or parent is None:
        return existing, parent, []
    return existing, parent, modeldiff.bundle_changes(contents(existing), contents(parent))
