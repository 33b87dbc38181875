"""Test fixtures: a real database per test (SQLite by default, PostgreSQL when DATABASE_URL says so).

The schema is migrated, and the demo county seeded, once per test run into template databases;
every test then gets its own copy: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL (DATABASE_URL names the database the run may use as its base: point it at a throw-away
database, as .ci/run does; the copies are created beside it and dropped as the run goes).

Two templates exist: ``schema`` (migrated, built-in roles) and ``demo`` (plus the demo county's
units and users). A test that asks for ``demo_org`` or ``api`` starts from ``demo``.
"""

import os
import queue
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from workflow_app import create_app
from workflow_app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith(("postgres://", "postgresql"))
DEMO_FIXTURES = frozenset({"demo_org", "api"})

BASE_CONFIG = {
    "TESTING": True,
    # Tests need no durability across a power cut: commits need not wait for the disk.
    **({"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c synchronous_commit=off"}}}
       if ON_POSTGRES else {}),
    "SECRET_KEY": "test",
    "API_TOKEN_DAYS": 3650,  # tests travel in time (time_machine) with tokens issued at the travelled-to moment
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "PROCESSES_DIR": str(ROOT / "processes"),
    "FORMS_DIR": str(ROOT / "forms"),
}


def _seed(url: str, with_demo: bool) -> None:
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from workflow_app.cli import migrate_database

        migrate_database()
        if with_demo:
            from workflow_app import demo

            demo.seed_org()
            demo.seed_users()
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _pg_url() -> str:
    from workflow_app.config import _database_url

    return _database_url("/unused")


class _PgDatabases:
    """Creates databases from templates beside DATABASE_URL's and drops them in the background."""

    def __init__(self, base_url: str):
        self.base = make_url(base_url)
        self.admin = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.prefix = f"{self.base.database}_t{uuid.uuid4().hex[:6]}"
        self._drops: queue.Queue = queue.Queue()
        self._dropper = threading.Thread(target=self._drop_loop, daemon=True)
        self._dropper.start()

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return self.url(name)

    def drop_later(self, name: str) -> None:
        self._drops.put(name)

    def _drop_loop(self) -> None:
        while (name := self._drops.get()) is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self._drops.task_done()

    def close(self, templates) -> None:
        for name in templates:
            self._drops.put(name)
        self._drops.put(None)
        self._dropper.join(timeout=120)
        self.admin.dispose()


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory):
    """{'schema': …, 'demo': …}: SQLite template files, or PostgreSQL template database names."""
    if ON_POSTGRES:
        dbs = _PgDatabases(_pg_url())
        names = {kind: f"{dbs.prefix}_{kind}" for kind in ("schema", "demo")}
        for kind, name in names.items():
            _seed(dbs.create(name), with_demo=kind == "demo")
        yield {"pg": dbs, **names}
        dbs.close(names.values())
        return
    folder = tmp_path_factory.mktemp("db")
    files = {kind: folder / f"{kind}.db" for kind in ("schema", "demo")}
    for kind, path in files.items():
        _seed(f"sqlite:///{path}", with_demo=kind == "demo")
    yield files


@pytest.fixture(scope="session")
def database_template(database_templates):
    """The schema template (kept for tests that build databases of their own)."""
    return database_templates["schema"]


@pytest.fixture
def database_url(request, database_templates, tmp_path):
    kind = "demo" if DEMO_FIXTURES & set(request.fixturenames) else "schema"
    if ON_POSTGRES:
        dbs = database_templates["pg"]
        name = f"{dbs.prefix}_{uuid.uuid4().hex[:10]}"
        url = dbs.create(name, template=database_templates[kind])
        yield url
        dbs.drop_later(name)
        return
    target = tmp_path / "test.db"
    shutil.copy(database_templates[kind], target)
    yield f"sqlite:///{target}"


@pytest.fixture
def make_app(database_url):
    """Build an app on this test's database; call again to simulate a restart (fresh caches)."""
    apps = []

    def build(**overrides):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def demo_org(app):
    """The demo county (seeded into the template): three towns, two communities each, two grids
    each, departments, a user for every role."""
    return app


@pytest.fixture
def api(demo_org):
    from tests.support import ApiClient

    return ApiClient(demo_org)
