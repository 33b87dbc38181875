"""Test fixtures: a real database per test (SQLite by default, PostgreSQL when DATABASE_URL says so).

SQLite: the schema is migrated once into a template file that each test copies.
PostgreSQL: the schema is migrated once per session into DATABASE_URL's database (which is wiped:
point it at a throw-away database, as .ci/run does) and every table is truncated between tests.
"""

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from workflow_app import create_app
from workflow_app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith(("postgres://", "postgresql"))

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "PROCESSES_DIR": str(ROOT / "processes"),
    "FORMS_DIR": str(ROOT / "forms"),
}


def _migrate(url: str) -> None:
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from workflow_app.cli import migrate_database

        migrate_database()
        db.session.remove()
        db.engine.dispose()


def _pg_url() -> str:
    from workflow_app.config import _database_url

    return _database_url("/unused")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    if ON_POSTGRES:
        url = _pg_url()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(url)
        return url
    template = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{template}")
    return template


def _truncate(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        ))]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if ON_POSTGRES:
        _truncate(database_template)
        return database_template
    target = tmp_path / "test.db"
    shutil.copy(database_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def make_app(database_url):
    """Build an app on this test's database; call again to simulate a restart (fresh caches)."""
    apps = []

    def build(**overrides):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        with app.app_context():
            from workflow_app.org import roles

            roles.ensure_builtin_roles()
            db.session.commit()
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
    """The demo county: three towns, two communities each, two grids each, departments, users."""
    from workflow_app import demo

    with app.app_context():
        demo.seed_org()
        demo.seed_users()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture
def api(demo_org):
    from tests.support import ApiClient

    return ApiClient(demo_org)
