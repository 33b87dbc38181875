"""The index of filed events: written when a model files a case (effect ``catalogue.index``), read
for duplicate hints (重复件: the same sub-category near the same place within a few days)."""

import math
from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import EventCase, ProcessInstance
from ..org import tree

NEAR_METRES = 200


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(h))


def _point(location) -> tuple[float, float] | None:
    if isinstance(location, dict) and "lat" in location and "lng" in location:
        try:
            return float(location["lat"]), float(location["lng"])
        except (TypeError, ValueError):
            return None
    return None


def index(work, instance: ProcessInstance, data: dict, actor) -> None:
    """The ``catalogue.index`` effect: file the case in the index of events (once)."""
    standard = data.get("standard") or {}
    if not standard.get("code"):
        return
    if instance.id is not None and db.session.execute(
            select(EventCase.id).where(EventCase.instance_id == instance.id)).first():
        return
    point = _point(data.get("location"))
    work.add(EventCase(instance=instance, condition_code=standard["code"],
                             subcategory_code=standard.get("subcategory_code", ""), org_unit_id=instance.org_unit_id,
                             address=(data.get("address") or "")[:300] or None,
                             lat=point[0] if point else None, lng=point[1] if point else None,
                             reported_at=clock.now()))


def similar(subcategory_code: str, unit, address: str | None, location, days: int,
            exclude_instance: int | None = None) -> list[int]:
    """Earlier cases of the same sub-category within ``days``, at the same address, within
    NEAR_METRES of ``location``, or in the same community when neither is known."""
    since = clock.now() - timedelta(days=days)
    chain = tree.ancestor_refs(unit)
    community = next((r for r in reversed(chain) if r.level == "community"), chain[-1])
    from ..models import OrgUnit

    rows = db.session.execute(
        select(EventCase).join(OrgUnit, OrgUnit.id == EventCase.org_unit_id)
        .where(EventCase.subcategory_code == subcategory_code, EventCase.reported_at >= since,
               tree.within(OrgUnit.path, community.path))
        .order_by(EventCase.reported_at.desc()).limit(50)).scalars()
    point, found = _point(location), []
    for row in rows:
        if row.instance_id == exclude_instance:
            continue
        same_place = bool(address) and (row.address or "") == address
        near = point is not None and row.lat is not None and _metres(point, (row.lat, row.lng)) <= NEAR_METRES
        if same_place or near or (point is None and not address):
            found.append(row.instance_id)
    return found
