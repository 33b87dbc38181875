"""The scheduler: APScheduler calls ``tick`` every SCHEDULER_INTERVAL seconds (1 s or more).

Run it as its own process (``flask --app workflow_app scheduler``), as many as you like against
one PostgreSQL, or inside the app with WORKFLOW_SCHEDULER_IN_APP=1 (never twice under the
reloader). Each tick plans start schedules (at most once a minute), starts due scheduled cases,
fires due BPMN timers, turns SLA clocks yellow or red, then runs the jobs mechanisms register
(create_app._tick_jobs: service-day visits coming due, indicator rollups, heartbeats…).
"""

import logging
import os
import threading
import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from .. import clock
from ..extensions import db
from ..sla import sweep as sla_sweep
from . import starts, sweeper

log = logging.getLogger(__name__)
PLAN_EVERY = 60.0
_last_plan = {"at": 0.0}
_started_in_process = threading.Event()


def tick(app, plan: bool | None = None) -> dict:
    """One pass of all time-driven work."""
    with app.app_context():
        try:
            now = clock.now()
            due_to_plan = time.monotonic() - _last_plan["at"] >= PLAN_EVERY
            planned = starts.plan(now) if (plan if plan is not None else due_to_plan) else 0
            if planned or due_to_plan:
                _last_plan["at"] = time.monotonic()
            report = {"planned": planned, "started": starts.run_due(now)}
            fired = sweeper.sweep(now)
            report.update(fired=fired.fired, skipped=fired.skipped, failed=fired.failed)
            report.update(sla_sweep.sweep(now))
            for name, job in app.extensions.get("workflow_app.tick_jobs", []):
                try:
                    report[name] = job(now)
                except Exception:  # one mechanism's failure must not stop the others' time-driven work
                    log.exception("scheduler job %s failed", name)
                    db.session.rollback()
            return report
        finally:
            db.session.remove()


def _job(app):
    try:
        report = tick(app)
        if any(report.values()):
            log.info("scheduler tick: %s", report)
    except Exception:
        log.exception("scheduler tick failed")


def _interval(app, seconds: float | None) -> float:
    return max(1.0, float(seconds or app.config.get("SCHEDULER_INTERVAL", 5)))


def run_blocking(app, seconds: float | None = None) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(_job, IntervalTrigger(seconds=_interval(app, seconds)), args=[app], id="workflow-tick",
                      max_instances=1, coalesce=True, next_run_time=clock.now())
    scheduler.start()


def start_in_app(app) -> BackgroundScheduler | None:
    """Start a background scheduler in this process when configured (once, not in the reloader's parent)."""
    if not app.config.get("SCHEDULER_IN_APP") or app.testing:
        return None
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    if _started_in_process.is_set():
        return None
    _started_in_process.set()
    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    scheduler.add_job(_job, IntervalTrigger(seconds=_interval(app, None)), args=[app], id="workflow-tick",
                      max_instances=1, coalesce=True)
    scheduler.start()
    app.extensions["workflow_app.scheduler"] = scheduler
    log.info("in-app scheduler started (every %ss)", _interval(app, None))
    return scheduler
