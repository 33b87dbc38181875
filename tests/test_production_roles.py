"""Database roles as docs/deploy.md sets them up (issue 16): the app's role owns no table, yet app
nodes and schedulers run; the audit stays append-only for it on every partition, and the scheduler
makes new months' partitions through the SECURITY DEFINER function, with no DDL right of its own.

The SQL is read from docs/deploy.md itself ("Database roles"), so the documented set-up is the one
tested."""

import contextlib
import re
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import BASE_CONFIG, ON_POSTGRES, ROOT
from workflow_app import audit, create_app, uow
from workflow_app.extensions import db
from workflow_app.ops import partitions
from workflow_app.timers import scheduler

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="database roles and grants are PostgreSQL's (SQLite has "
                                "none): run with DATABASE_URL=postgresql://…")


def _documented_sql() -> tuple[list[str], list[str]]:
    """The statements of deploy.md's roles block: (before the migration, after it), without the
    CREATE ROLE / CREATE DATABASE lines (made here with unique names)."""
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    block = re.search(r"## Database roles.*?```sql\n(.*?)```", doc, re.S).group(1)
    before, after, current = [], [], None
    for line in block.splitlines():
        code = "" if line.lstrip().startswith("--") else line.split("--")[0].strip()
        if line.startswith("\\c "):
            current = before
            continue
        if line.lstrip().startswith("--") and "migrate" in line:
            current = after
            continue
        if current is not None and code:
            current.append(code)
    statements = {"before": " ".join(before), "after": " ".join(after)}
    return ([s.strip() for s in statements["before"].split(";") if s.strip()],
            [s.strip() for s in statements["after"].split(";") if s.strip()])


def _refused(statement: str) -> str:
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    return str(caught.value.orig)


@contextlib.contextmanager
def _database_with_roles(dbs):
    """A database set up as deploy.md says: owned and migrated by an owner role; yields an app on the
    app role's connection."""
    suffix = uuid.uuid4().hex[:8]
    owner, app_role, name = f"wf_owner_{suffix}", f"wf_app_{suffix}", f"{dbs.prefix}_roles{suffix}"
    before, after = _documented_sql()
    assert before and after and any("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES" in s for s in after)

    def named(statement: str) -> str:
        return statement.replace("workflow_owner", owner).replace("workflow_app", app_role)

    def app_as(role: str):
        made = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": base.set(username=role)
                          .render_as_string(hide_password=False)})
        apps.append(made)
        return made

    base = make_url(dbs.url(name))
    superuser = create_engine(base, isolation_level="AUTOCOMMIT")
    apps = []
    with dbs.admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {app_role} LOGIN"))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {owner}'))
    try:
        with superuser.connect() as conn:
            for statement in before:
                conn.execute(text(named(statement)))
        with app_as(owner).app_context():
            from workflow_app.cli import migrate_database

            migrate_database()
            db.session.remove()
        with superuser.connect() as conn:
            for statement in after:
                conn.execute(text(named(statement)))
        yield app_as(app_role)
    finally:
        for made in apps:
            with made.app_context():
                db.session.remove()
                db.engine.dispose()
        superuser.dispose()
        with dbs.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {app_role}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))


def test_the_app_role_owns_nothing_and_the_platform_still_runs(database_templates, monkeypatch):
    with _database_with_roles(database_templates["pg"]) as app:
        report = scheduler.tick(app)  # timers, jobs, the heartbeat: every write of a tick, as the app role
        assert report["heartbeat"] == 1
        monkeypatch.setitem(partitions._LAST, "at", None)
        with time_machine.travel(datetime(2034, 6, 10, tzinfo=UTC), tick=False):
            assert scheduler.tick(app)["partitions"] == 8  # made through wf_partitions_ensure
        with app.app_context():
            uow.run(lambda work: audit.record("roles_probe", subject="probe"))
            assert db.session.execute(text("SELECT count(*) FROM audit_event WHERE kind = 'roles_probe'")).scalar() == 1
            owned = db.session.execute(text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")).scalar()
            assert owned == 0
            assert "must be owner" in _refused("ALTER TABLE audit_event DISABLE TRIGGER ALL")
            assert "append-only" in _refused("DELETE FROM audit_event WHERE kind = 'roles_probe'")
            assert "permission denied" in _refused("DELETE FROM wf_partitions.audit_event_default")
            assert "permission denied" in _refused("CREATE TABLE wf_probe (id int)")
            truncate = _refused("TRUNCATE audit_event")
            assert "permission denied" in truncate or "TRUNCATE is refused" in truncate, truncate
            db.session.remove()
