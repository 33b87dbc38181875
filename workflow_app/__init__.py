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

    from . import api, audit, cli, web
    from .repository import instances as instance_store
    from .repository.caches import Caches

    audit.install(Session)
    instance_store.install(Session)

    app.extensions["workflow_app.caches"] = Caches(
        spec_size=256 if app.config["SPEC_CACHE"] else 0, run_size=app.config["WORKFLOW_CACHE_SIZE"]
    )
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    from .catalogue import events  # noqa: F401 - registers the catalogue.index mechanism
    from .sla import extension  # noqa: F401 - registers the sla.extend mechanism
    from .timers import scheduler

    scheduler.start_in_app(app)
    return app


class _BoundedInt(IntegerConverter):
    """Integer path parameters stop at 64 bits: a larger id is simply not found (no overflow)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _engine_options(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
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
