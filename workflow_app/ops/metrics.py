"""Prometheus metrics (prometheus-client), in multiprocess mode under gunicorn.

Counted in the process that does the work (each gunicorn worker, the scheduler), written to
PROMETHEUS_MULTIPROC_DIR when it is set (``workflow-app serve`` sets it and wipes it at start;
``deploy/gunicorn.conf.py`` marks exited workers dead) and summed at scrape time:

- ``workflow_http_request_duration_seconds{method,route}`` (histogram) and
  ``workflow_http_responses_total{method,route,status}``;
- ``workflow_case_starts_total``, ``workflow_task_completions_total``, ``workflow_cases_completed_total``,
  ``workflow_engine_errors_total``, ``workflow_timers_fired_total`` (by process key), counted from the
  audit events a transaction *committed* (a rolled-back or retried attempt counts nothing);
- ``workflow_cache_lookups_total{cache,result}``: the engine's run-token cache (a worker still holds
  the case's revision: only a token is sent) and the spec cache (restored process versions);
- ``workflow_db_pool_connections{state}``: connections checked out / pooled, per live process, summed.

Read from the database at scrape time (by whichever process answers, cached ``DB_TTL`` s):
``workflow_timer_lag_seconds`` (now minus the due time of the oldest due timer), ``workflow_timers_due``,
``workflow_tasks_sla{colour}`` (open red and yellow tasks), ``workflow_scheduler_heartbeat_age_seconds{node}``.
"""

import logging
import os
import threading
import time

from flask import g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .. import clock
from ..extensions import db
from ..models import HumanTask, ProcessInstance, SchedulerHeartbeat
from ..models.task import OPEN_SQL

log = logging.getLogger(__name__)
DB_TTL = 10.0
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram("workflow_http_request_duration_seconds", "HTTP request latency by route",
                            ["method", "route"], buckets=BUCKETS)
RESPONSES = Counter("workflow_http_responses", "HTTP responses by route and status", ["method", "route", "status"])
STARTS = Counter("workflow_case_starts", "cases started", ["process"])
COMPLETIONS = Counter("workflow_task_completions", "human tasks completed", ["process"])
CASES_COMPLETED = Counter("workflow_cases_completed", "cases that reached their end", ["process"])
ENGINE_ERRORS = Counter("workflow_engine_errors", "steps that put a case in error (or a timer that failed)",
                        ["process"])
TIMERS_FIRED = Counter("workflow_timers_fired", "cases whose due timers fired", ["process"])
CACHE = Counter("workflow_cache_lookups", "cache lookups by result", ["cache", "result"])
POOL = Gauge("workflow_db_pool_connections", "database connections of this node's pools",
             ["state"], multiprocess_mode="livesum")

_AUDIT_PENDING = "workflow_app.audit_pending"  # audit.record's queue (read, never changed, here)
_COUNTED = "workflow_app.metrics_pending"
_BY_KIND = {"instance_started": STARTS, "task_completed": COMPLETIONS, "instance_completed": CASES_COMPLETED,
            "instance_error": ENGINE_ERRORS, "timer_failed": ENGINE_ERRORS, "timer_fired": TIMERS_FIRED}


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


# --- what committed ------------------------------------------------------------------------------

def _peek(session, *_args) -> None:
    """Before the audit writer empties its queue (this listener runs first): note the kinds."""
    pending = session.info.get(_AUDIT_PENDING)
    if pending:
        session.info[_COUNTED] = [(p["kind"], getattr(p.get("instance"), "process_key", None) or "")
                                  for p in pending if p["kind"] in _BY_KIND]


def _count(session) -> None:
    for kind, process in session.info.pop(_COUNTED, None) or ():
        _BY_KIND[kind].labels(process=process).inc()


def _drop(session, *_args) -> None:
    session.info.pop(_COUNTED, None)


def _install_session_hooks() -> None:
    if not event.contains(Session, "before_commit", _peek):
        event.listen(Session, "before_commit", _peek, insert=True)
        event.listen(Session, "after_commit", _count)
        event.listen(Session, "after_soft_rollback", _drop)


# --- caches and pools ----------------------------------------------------------------------------

class _CountingLRU:
    """Wraps the spec cache's LRU: a hit is a ``get`` that finds; a miss is the ``put`` that follows
    a load (a miss reads the LRU twice before it loads, so misses are counted once, at the put)."""

    def __init__(self, inner, name: str):
        self._inner, self._name = inner, name

    def get(self, key):
        value = self._inner.get(key)
        if value is not None:
            CACHE.labels(cache=self._name, result="hit").inc()
        return value

    def put(self, key, value):
        CACHE.labels(cache=self._name, result="miss").inc()
        return self._inner.put(key, value)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _instrument_caches(app) -> None:
    caches = app.extensions.get("workflow_app.caches")
    if caches is not None and hasattr(caches, "specs") and not isinstance(caches.specs, _CountingLRU):
        caches.specs = _CountingLRU(caches.specs, "spec")
    engine = app.extensions.get("workflow_app.engine")
    lookup = getattr(engine, "_cached", None)
    if lookup is None or getattr(lookup, "counted", False):
        if lookup is None:
            log.warning("engine run-token cache not found: its hit rate is not measured")
        return

    def counted(request_):
        if request_.instance_id is None:
            return lookup(request_)  # a new case: nothing to look up
        hit = lookup(request_)
        CACHE.labels(cache="run_token", result="hit" if hit is not None else "miss").inc()
        return hit

    counted.counted = True
    engine._cached = counted


def _instrument_pool(app) -> None:
    with app.app_context():
        engine = db.engine
    lock = threading.Lock()

    def _checkout(*_args):
        with lock:
            POOL.labels(state="in_use").inc()

    def _checkin(*_args):
        with lock:
            POOL.labels(state="in_use").dec()

    def _connect(*_args):
        POOL.labels(state="open").inc()

    def _close(*_args):
        POOL.labels(state="open").dec()

    event.listen(engine, "checkout", _checkout)
    event.listen(engine, "checkin", _checkin)
    event.listen(engine, "connect", _connect)
    event.listen(engine, "close", _close)


# --- requests ------------------------------------------------------------------------------------

def install(app) -> None:
    _install_session_hooks()
    _instrument_caches(app)
    _instrument_pool(app)

    @app.after_request
    def _observe(response):
        started = g.get("request_started")
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        if started is not None:
            REQUEST_SECONDS.labels(method=request.method, route=rule).observe(time.perf_counter() - started)
        RESPONSES.labels(method=request.method, route=rule, status=str(response.status_code)).inc()
        return response


# --- the scrape ----------------------------------------------------------------------------------

class DatabaseCollector:
    """Gauges read from the database when scraped (the same for every node: one query each)."""

    def __init__(self, app):
        self.app = app
        self._cached: tuple[float, list] | None = None
        self._lock = threading.Lock()

    def collect(self):
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > DB_TTL:
                self._cached = (time.monotonic(), self._families())
            return list(self._cached[1])

    def _families(self) -> list:
        now = clock.now()
        with self.app.app_context():
            try:
                oldest, due = db.session.execute(
                    select(func.min(ProcessInstance.next_timer_due), func.count())
                    .where(ProcessInstance.status == "running", ProcessInstance.next_timer_due <= now)).one()
                colours = dict(db.session.execute(
                    select(HumanTask.sla_state, func.count()).where(HumanTask.state == OPEN_SQL,
                                                                   HumanTask.sla_state.in_(("red", "yellow")))
                    .group_by(HumanTask.sla_state)).all())
                beats = db.session.execute(select(SchedulerHeartbeat.node, SchedulerHeartbeat.beat_at)).all()
            except Exception:  # a scrape must answer: the database's own state shows in readiness
                log.exception("metrics: reading the database failed")
                return []
            finally:
                db.session.remove()
        lag = GaugeMetricFamily("workflow_timer_lag_seconds", "now minus the due time of the oldest due timer")
        lag.add_metric([], max(0.0, (now - clock.as_utc(oldest)).total_seconds()) if oldest else 0.0)
        due_timers = GaugeMetricFamily("workflow_timers_due", "cases with a timer due now")
        due_timers.add_metric([], due)
        sla = GaugeMetricFamily("workflow_tasks_sla", "open tasks past their limit (red) or near it (yellow)",
                                labels=["colour"])
        for colour in ("red", "yellow"):
            sla.add_metric([colour], colours.get(colour, 0))
        ages = GaugeMetricFamily("workflow_scheduler_heartbeat_age_seconds", "seconds since each scheduler's "
                                 "last tick", labels=["node"])
        for node, beat_at in beats:
            ages.add_metric([node], max(0.0, (now - clock.as_utc(beat_at)).total_seconds()))
        return [lag, due_timers, sla, ages]


def exposition(app) -> tuple[bytes, str]:
    """The metrics page: every process's counters (multiprocess) or this one's, plus the database's."""
    from prometheus_client import REGISTRY
    from prometheus_client import multiprocess as mp

    collector = app.extensions.get("workflow_app.metrics_db")
    if collector is None:
        collector = app.extensions["workflow_app.metrics_db"] = DatabaseCollector(app)
    registry = CollectorRegistry()
    if multiprocess():
        mp.MultiProcessCollector(registry)
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward:
    """This process's default registry, inside the scrape's registry (single-process mode)."""

    def __init__(self, inner):
        self.inner = inner

    def collect(self):
        return self.inner.collect()
