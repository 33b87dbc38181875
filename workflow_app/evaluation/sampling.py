"""The reproducible, stratified sample of a round: the closed cases of the period in the scope,
grouped by grid, and from each grid ``max(minimum, ceil(share × n))`` of its n cases (all of them
when it has fewer), drawn by a generator seeded with the round's seed and the grid's code. The
same seed over the same closed cases gives the same sample."""

import math
import random
import secrets
from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..indicators import periods, versions
from ..models import CaseFact, ProcessInstance
from ..org import tree

GRID = "grid"
MAX_SAMPLE = 2000
DEFAULT_PROCESSES = ("event_handling",)


def new_seed() -> str:
    return secrets.token_hex(8)


def size(count: int, share: float, minimum: int) -> int:
    wanted = max(minimum, math.ceil(round(share * count, 6)))
    return min(count, wanted)


def stratum(unit_id: int) -> tree.UnitRef:
    """The grid a case belongs to: its unit's ancestor at grid level (itself above that level)."""
    unit = tree.ref_by_id(unit_id)
    for ref in tree.ancestor_refs(unit):
        if ref.level == GRID:
            return ref
    return unit


def closed_cases(scope, period: periods.Period) -> dict[int, list[int]]:
    """Case ids closed in ``period`` under ``scope``, per stratum unit id (the ledger's closing facts)."""
    ledger = (versions.ledger_document().get("ledger") or {})
    closing = ledger.get("closed_by") or ["closed_on_time", "closed_late", "supervised"]
    processes = ledger.get("processes") or list(DEFAULT_PROCESSES)
    rows = db.session.execute(
        select(CaseFact.instance_id, ProcessInstance.org_unit_id).join(
            ProcessInstance, ProcessInstance.id == CaseFact.instance_id)
        .where(CaseFact.kind.in_(closing), CaseFact.at >= period.starts_at, CaseFact.at < period.ends_at,
               ProcessInstance.process_key.in_(processes), tree.within(CaseFact.unit_path, scope.path))
        .distinct()).all()
    strata: dict[int, set[int]] = defaultdict(set)
    for case_id, unit_id in rows:
        strata[stratum(unit_id).id].add(case_id)
    return {unit_id: sorted(ids) for unit_id, ids in strata.items()}


def draw(strata: dict[int, list[int]], share: float, minimum: int, seed: str) -> dict[int, list[int]]:
    """The drawn case ids per stratum (in id order)."""
    drawn = {}
    for unit_id in sorted(strata, key=lambda u: tree.ref_by_id(u).code):
        ids = sorted(strata[unit_id])
        rng = random.Random(f"{seed}|{tree.ref_by_id(unit_id).code}")
        drawn[unit_id] = sorted(rng.sample(ids, size(len(ids), share, minimum)))
    return drawn
