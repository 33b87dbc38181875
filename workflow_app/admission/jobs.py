"""The scheduler's admission job: record items whose validity ended (a version of the item and
of each target unit's list, ``expired``). Idempotent, and safe with two scheduler nodes: each
item is claimed by a conditional UPDATE before its expiry is recorded."""

from sqlalchemy import select, update

from .. import uow
from ..extensions import db
from . import items
from .records import AdmittedItem

BATCH = 200


def expire(now) -> int:
    day = items.today()
    due = list(db.session.execute(select(AdmittedItem.id).where(
        AdmittedItem.valid_to < day, AdmittedItem.expired_at.is_(None), AdmittedItem.withdrawn_from.is_(None))
        .order_by(AdmittedItem.id).limit(BATCH)).scalars())
    recorded = 0
    for item_id in due:
        recorded += uow.run(lambda work, item_id=item_id: _expire(work, item_id, now))
    return recorded


def _expire(work, item_id: int, now) -> int:
    claimed = db.session.execute(update(AdmittedItem).where(
        AdmittedItem.id == item_id, AdmittedItem.expired_at.is_(None))
        .values(expired_at=now, row_version=AdmittedItem.row_version + 1))
    if claimed.rowcount != 1:
        return 0  # another scheduler node recorded it
    item = db.session.get(AdmittedItem, item_id, populate_existing=True)
    items.record_expiry(item)
    return 1
