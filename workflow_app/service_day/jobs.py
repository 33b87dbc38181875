"""The scheduler job that opens visits as they come due between service days.

Each tick, every household whose next visit is due (today or earlier, in the platform's time zone)
and has no visit opened for that due date gets a ``household_visit`` case in mode ``visit``: the
visit task, in its paired person's inbox (else the grid worker's). The household row is claimed by
a conditional UPDATE in the same transaction that starts the case, so with several scheduler nodes
each due date opens exactly one visit; a household whose previous cadence visit is still open
waits for it.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update

from .. import uow
from ..cases import service
from ..errors import DomainError
from ..extensions import db
from ..models import Household, ProcessInstance
from .effects import CADENCE_PROCESS
from .records import VisitDue

BATCH = 200
log = logging.getLogger(__name__)


def _today(now: datetime):
    return now.astimezone(ZoneInfo(current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai"))).date()


def _still_open():
    """A cadence visit of the household that is due and not yet recorded, in a running case."""
    return exists().where(VisitDue.household_id == Household.id, VisitDue.kind == "cadence",
                          VisitDue.visit_id.is_(None), ProcessInstance.id == VisitDue.instance_id,
                          ProcessInstance.status == "running")


def _due(today) -> list[tuple[int, object]]:
    return list(db.session.execute(
        select(Household.id, Household.next_visit_due).where(
            Household.next_visit_due <= today,
            or_(Household.visit_opened_for.is_(None), Household.visit_opened_for < Household.next_visit_due),
            ~_still_open())
        .order_by(Household.next_visit_due, Household.id).limit(BATCH)).all())


def _open(household_id: int, due) -> bool:
    def action(work) -> bool:
        claimed = db.session.execute(update(Household).where(and_(
            Household.id == household_id, Household.next_visit_due == due,
            or_(Household.visit_opened_for.is_(None), Household.visit_opened_for < due),
        )).values(visit_opened_for=due).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            return False  # another node opened it, or the visit was recorded meanwhile
        household = db.session.get(Household, household_id)
        service.start_internal(CADENCE_PROCESS, household.org_unit.code,
                               {"mode": "visit", "household_id": household_id, "due_date": due.isoformat()})
        return True

    return uow.run(action)


def open_due_visits(now: datetime) -> int:
    """Open a visit for each household whose next visit has come due; how many were opened."""
    opened = 0
    for household_id, due in _due(_today(now)):
        try:
            opened += _open(household_id, due)
        except DomainError as error:
            log.warning("no visit opened for household %s: %s", household_id, error.message)
    db.session.remove()
    return opened
