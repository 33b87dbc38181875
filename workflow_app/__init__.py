"""网格治理工作流平台 — a BPMN workflow platform for grid governance (网格化管理、组团式服务)."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from . import config, uow
from .extensions import db, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = _BoundedInt
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    _engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.PROJECT_ROOT / "migrations"))
    with app.app_context():
        _configure_sqlite(db.engine)

    from . import api, audit, cli, ops, web
    from .repository.caches import Caches

    audit.install(Session)

    app.extensions["workflow_app.caches"] = Caches(
        spec_size=256 if app.config["SPEC_CACHE"] else 0, run_size=app.config["WORKFLOW_CACHE_SIZE"]
    )
    app.extensions["workflow_app.engine"] = _engine(app.config)
    app.extensions["workflow_app.effects"] = _effects()
    app.extensions["workflow_app.script_functions"] = _script_functions()
    app.extensions["workflow_app.guards"] = _guards()
    app.extensions["workflow_app.tick_jobs"] = _tick_jobs()
    app.extensions["workflow_app.start_schedules"] = _start_schedules()
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    ops.init_app(app)  # production: request ids, JSON logs, metrics (workflow_app/ops)
    from .timers import scheduler

    scheduler.start_in_app(app)
    return app


def _effects():
    """The platform mechanisms a model may name in a node's ``effect`` property."""
    from .admission import effects as admission_effects
    from .cases.effects import Effects
    from .catalogue import events
    from .evaluation import appeals as evaluation_appeals
    from .evaluation import callbacks as evaluation_callbacks
    from .evaluation import honours as evaluation_honours
    from .evaluation import rating as evaluation_rating
    from .indicators import verdicts
    from .service_day import effects as service_day_effects
    from .sla import extension

    registry = Effects()
    registry.register("catalogue.index", events.index)
    registry.register("sla.extend", extension.extend)
    admission_effects.register(registry)  # admission.track, .admit, .withdraw, .assignment_refused
    registry.register(verdicts.EFFECT, verdicts.record_effect)  # a resident's verdict, as a fact for the indicators
    service_day_effects.register(registry)  # service_day.day_opened, .due, .record_visit, .report_problem, …
    evaluation_rating.register(registry)  # evaluation.case_closed, .resident_voice, .rate, .rating_expired
    evaluation_callbacks.register(registry)  # evaluation.callback, .survey, .reopen_case, .round_closed
    evaluation_appeals.register(registry)  # evaluation.appeal_filed, .appeal_upheld, .appeal_refused
    evaluation_honours.register(registry)  # evaluation.honours_awarded
    from .inbox import notices

    notices.register(registry)  # initiator.milestone: the reporter hears of accepted, escalated, closed…
    return registry


def _guards():
    """Platform rules that may refuse a start or hold a task (see cases/guards.py)."""
    from .admission import enforcement
    from .cases.guards import Guards
    from .service_day import schedule as service_day_schedule

    registry = Guards()
    registry.register(enforcement.guard())  # item-entry admission
    registry.register(service_day_schedule.guard())  # a service day started by hand: staff of that unit only
    return registry


def _tick_jobs():
    """Periodic work the scheduler runs on every tick, after timers and clocks: (name, fn(now))."""
    from .admission import jobs as admission_jobs
    from .evaluation import points as evaluation_points
    from .indicators import jobs as indicator_jobs
    from .ops import heartbeats, partitions
    from .service_day import jobs as service_day_jobs

    return [("admission_expired", admission_jobs.expire), ("indicators", indicator_jobs.tick),
            ("visits_due", service_day_jobs.open_due_visits),
            ("points", evaluation_points.tick),
            ("partitions", partitions.tick), ("heartbeat", heartbeats.beat)]  # heartbeat last: a whole tick ran


def _start_schedules():
    """Timer start events whose dates a mechanism computes from its data (start event property
    ``schedule`` = one of these names; see timers/starts.py ``Provider``)."""
    from .service_day import schedule as service_day_schedule

    return {"service_day": service_day_schedule.DAY, "service_day_planning": service_day_schedule.PLANNING}


def _script_functions():
    """The functions a model's scripts, conditions, timers and decisions may call."""
    from . import scripting
    from .admission import functions as admission_functions
    from .catalogue import functions as catalogue_functions
    from .evaluation import functions as evaluation_functions
    from .org import functions as org_functions
    from .service_day import functions as service_day_functions

    registry = scripting.ScriptFunctions()
    scripting.provide_calendar(registry)
    catalogue_functions.provide(registry)
    org_functions.provide(registry)  # case_unit()
    admission_functions.provide(registry)
    service_day_functions.provide(registry)
    evaluation_functions.provide(registry)  # evaluation_data(section), period_published(period)
    return registry


def _engine(config):
    from .engine.isolation import Engine

    return Engine(isolated=config["ENGINE_ISOLATION"], workers=config["ENGINE_WORKERS"],
                  time_limit=config["SCRIPT_TIME_LIMIT"], memory_mb=config["SCRIPT_MEMORY_MB"],
                  step_limit=config["SCRIPT_STEP_LIMIT"], max_bytes=config["MAX_CASE_BYTES"],
                  run_cache=config["WORKFLOW_CACHE_SIZE"])


class _BoundedInt(IntegerConverter):
    """Integer path parameters stop where the id columns do (32-bit ``integer`` on PostgreSQL):
    a larger id is simply not found (404), never an overflow in the database."""

    MAX = 2**31 - 1

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", self.MAX)
        super().__init__(url_map, *args, **kwargs)


def _engine_options(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        options["pool_pre_ping"] = False  # a file cannot drop the connection; a ping per checkout is waste
    else:
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_sqlite(engine) -> None:
    """Real transactions on SQLite (the driver's own are half-hearted), WAL for readers, FKs on."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # Inside a unit of work a transaction takes the write lock at once (BEGIN IMMEDIATE), so
        # a writer waits its turn (busy_timeout) instead of failing when it first writes.
        connection.exec_driver_sql(f"BEGIN {uow.BEGIN_MODE.get()}".strip())
