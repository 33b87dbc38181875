"""Timer start events: the platform starts timer-started processes on schedule, per locality.

A process's timer start event says when (a date, or a repeating interval such as
``"R/2026-01-15T09:00:00+08:00/P1M"``: monthly, on the locality's calendar) and, in its
properties, where: ``start_in`` = ``level:community`` (one case per community; ``level:county,town``
for several levels), or
``units:dc-dm,xs-sq``; without it, one case in the unit the definition is deployed for (or the
root, for a platform-wide one). Each (process, event, unit) has a schedule row; a unit follows
the definition that applies to it, so a town's variant replaces the default there. Missed
occurrences are skipped, not fired in a burst; each due row is taken under a row lock and
advanced in the same transaction that starts its case, so no occurrence starts twice.

Schedules a mechanism computes. A timer start event whose property ``schedule`` names a
*provider* (registered by the app factory, ``create_app._start_schedules``) starts when that
provider says, from its own data, per unit: the monthly service day of each grid falls on its
locality's rule and calendar, not on a fixed ISO cycle (the event's timer expression is then only
what the engine fires). A provider (see ``Provider``) gives a unit's schedule fingerprint (stored
as the row's expression: when it changes, the row is planned again) and its next ``Occurrence``:
the moment to start, and the last moment the start may still be made; an occurrence whose window
has passed unstarted is skipped, never started late.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock, uow
from ..cases import data as case_data
from ..cases import service
from ..errors import DomainError
from ..extensions import db
from ..models import OrgUnit, ProcessVersion, StartSchedule
from ..org import tree
from ..repository import definitions
from ..repository import instances as store
from . import cycles

log = logging.getLogger(__name__)
PROVIDED = "schedule:"  # the expression of a row whose schedule a provider computes
_ONE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Occurrence:
    """A start a provider asks for: at ``at``, or at the latest by ``until`` (then it is skipped)."""

    at: datetime
    until: datetime


class Provider(Protocol):
    def fingerprint(self, unit: OrgUnit) -> str:
        """What decides the unit's dates (its rule, its settings): a change plans the row again."""

    def next(self, unit: OrgUnit, moment: datetime, after: datetime | None = None) -> Occurrence | None:
        """The first occurrence whose window has not ended at ``moment`` and that starts after ``after``."""


def providers() -> dict[str, Provider]:
    return current_app.extensions.get("workflow_app.start_schedules") or {}


class _Cycle:
    """When a start event's own timer value (an ISO date, duration or repeating interval) fires."""

    def __init__(self, schedule: cycles.Schedule):
        self.schedule = schedule

    def first(self, now, last_run=None):
        return self.schedule.next_after(now)[0]

    def following(self, when, now, runs: int):
        return self.schedule.next_after(max(now, when) + _ONE, runs)[0]

    def expired(self, when, now) -> bool:
        return False


class _Provided:
    """When a provider says a unit's start is due."""

    def __init__(self, provider: Provider, unit: OrgUnit):
        self.provider, self.unit = provider, unit

    def first(self, now, last_run=None):
        found = self.provider.next(self.unit, now, last_run)
        return found.at if found else None

    def following(self, when, now, runs: int):
        found = self.provider.next(self.unit, now, when)  # the current window too, after a skipped one
        return found.at if found else None

    def expired(self, when, now) -> bool:
        """The occurrence at ``when`` is gone (its data changed) or its window has passed."""
        found = self.provider.next(self.unit, when)
        return found is None or found.at != when or now > found.until


def _provided_expression(event: dict, unit: OrgUnit) -> str | None:
    name = str((event.get("properties") or {}).get("schedule") or "").strip()
    if not name:
        return event["expression"]
    provider = providers().get(name)
    if provider is None:
        log.warning("timer start %s names schedule %r, which no mechanism provides", event["bpmn_id"], name)
        return None
    return f"{PROVIDED}{name}|{provider.fingerprint(unit)}"


def _timing(expression: str, unit: OrgUnit, now, parsed: dict | None = None):
    """How a row's expression schedules: a provider's, or the ISO timer value's (None: it cannot)."""
    if expression.startswith(PROVIDED):
        provider = providers().get(expression[len(PROVIDED):].split("|", 1)[0])
        return _Provided(provider, unit) if provider is not None else None
    if parsed is not None and expression in parsed:
        return parsed[expression]
    schedule = _schedule(expression, now)
    timing = _Cycle(schedule) if schedule is not None else None
    if parsed is not None:
        parsed[expression] = timing
    return timing


def _targets(event: dict, version: ProcessVersion) -> list[OrgUnit]:
    where = (event.get("properties") or {}).get("start_in", "").strip()
    home = tree.by_code(version.locality) if version.locality else tree.root_unit()
    if home is None:
        return []
    if where.startswith("level:"):  # one level, or several: ``level:county,town``
        levels = [level.strip() for level in where.split(":", 1)[1].split(",") if level.strip()]
        return list(db.session.execute(
            select(OrgUnit).where(tree.subtree(home), OrgUnit.level.in_(levels), OrgUnit.kind == "area")
            .order_by(OrgUnit.path)).scalars())
    if where.startswith("units:"):
        codes = [c.strip() for c in where.split(":", 1)[1].split(",") if c.strip()]
        return [u for u in (tree.by_code(c) for c in codes) if u is not None and u.is_within(home)]
    return [home]


def _schedule(expression: str, now) -> cycles.Schedule | None:
    try:
        value = store.engine().evaluate(expression, {}, {})
        return cycles.parse(str(value), now, current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai"))
    except Exception as error:
        log.warning("timer start expression %r cannot be scheduled: %s", expression, error)
        return None


def _active_versions() -> list[ProcessVersion]:
    return list(db.session.execute(
        select(ProcessVersion).where(ProcessVersion.status == "active")
    ).scalars())


def _wanted(now) -> dict[tuple[str, str, int], tuple[ProcessVersion, str]]:
    wanted = {}
    for version in _active_versions():
        for event in store.manifest(version).get("timer_starts") or []:
            for unit in _targets(event, version):
                applies = definitions.resolve(version.key, unit)
                expression = _provided_expression(event, unit) if applies.id == version.id else None
                if expression is not None:
                    wanted[(version.key, event["bpmn_id"], unit.id)] = (version, expression, unit)
    return wanted


def plan(now=None) -> int:
    """Make the schedule rows match the deployed definitions and the org tree."""
    now = now or clock.now()
    try:
        return uow.run(lambda work: _plan(work, now))
    except IntegrityError:  # another scheduler node inserted the same new rows first: plan over them
        return uow.run(lambda work: _plan(work, now))


def _plan(work, now) -> int:
    with work.reading():
        wanted = _wanted(now)
        rows = {(r.process_key, r.event_id, r.unit_id): r
                for r in db.session.execute(select(StartSchedule)).scalars()}
        stale = {key: value for key, value in wanted.items() if not _current(rows.get(key), *value[:2])}
        parsed: dict = {}
        firsts = {}
        for key, (_version, expression, unit) in stale.items():
            timing = _timing(expression, unit, now, parsed)
            firsts[key] = timing.first(now, getattr(rows.get(key), "last_run_at", None)) if timing else None
    changed = 0
    for key, (version, expression, _unit) in stale.items():
        row = rows.get(key)
        if row is None:
            row = StartSchedule(process_key=key[0], event_id=key[1], unit_id=key[2], runs=0)
            work.add(row)
        row.version_id, row.expression, row.runs = version.id, expression, 0
        row.next_run_at = firsts[key]
        row.active = row.next_run_at is not None
        changed += 1
    for key, row in rows.items():
        if key not in wanted and row.active:
            row.active, row.next_run_at = False, None
            changed += 1
    return changed


def _current(row, version, expression) -> bool:
    return row is not None and row.version_id == version.id and row.expression == expression and row.active


def _due_row(schedule_id: int, now, when=None, lock: bool = False):
    query = select(StartSchedule).where(StartSchedule.id == schedule_id, StartSchedule.active.is_(True),
                                        StartSchedule.next_run_at <= now)
    if when is not None:
        query = query.where(StartSchedule.next_run_at == when)
    return db.session.execute(query.with_for_update(skip_locked=True) if lock else query).scalar_one_or_none()


def _run_one(schedule_id: int, now) -> bool:
    """Start the case of one due schedule row and advance the row, in one transaction: the engine
    runs first (no lock held), then the row is taken under a lock, still at the same occurrence,
    or another node has started it and nothing is written. True: started; False: nothing to do;
    None: the occurrence's window had passed, so the row was only advanced (it may be due again)."""
    def action(work):
        with work.reading():
            row = _due_row(schedule_id, now)
            if row is None:
                return False
            when, unit = row.next_run_at, row.unit
            version = definitions.resolve(row.process_key, unit)
            timing = _timing(row.expression, unit, now)
            expired = timing is not None and timing.expired(when, now)
            if not expired:
                data = case_data.check({"scheduled_for": when.isoformat(), "org_unit": unit.code})
                prepared = service.prepare_start(version, unit, data, None, scheduled=True)
        row = _due_row(schedule_id, now, when, lock=True)
        if row is None:
            return False
        if not expired:
            service.write_start(work, prepared)
            row.runs += 1
            row.last_run_at = now
        upcoming = timing.following(when, now, row.runs) if timing else None
        row.next_run_at, row.active = upcoming, upcoming is not None
        return None if expired else True

    return uow.run(action)


def _run_until_started(schedule_id: int, now) -> bool:
    for _ in range(3):  # a skipped occurrence (its window passed) leaves the row at the next, maybe due now
        result = _run_one(schedule_id, now)
        if result is not None:
            return result
    return False


def run_due(now=None, limit: int = 500) -> int:
    """Start every case whose schedule is due; returns how many were started."""
    now = now or clock.now()
    ids = list(db.session.execute(
        select(StartSchedule.id).where(StartSchedule.active.is_(True), StartSchedule.next_run_at <= now)
        .order_by(StartSchedule.next_run_at).limit(limit)
    ).scalars())
    started = 0
    for schedule_id in ids:
        try:
            started += _run_until_started(schedule_id, now)
        except DomainError as error:
            log.warning("scheduled start %s failed: %s", schedule_id, error.message)
    return started
