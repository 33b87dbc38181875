"""Monthly partitions of audit_event and case_fact on PostgreSQL (issue 16, migration 0011)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import ON_POSTGRES
from workflow_app import audit, uow
from workflow_app.extensions import db
from workflow_app.ops import partitions
from workflow_app.timers import scheduler

pg_only = pytest.mark.skipif(not ON_POSTGRES, reason="declarative partitioning is PostgreSQL's; SQLite stays "
                             "unpartitioned (set DATABASE_URL=postgresql://… to run this)")


def _refused(statement: str) -> str:
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    return str(caught.value.orig)


def _record(at: datetime) -> str:
    import time_machine

    with time_machine.travel(at, tick=False):
        uow.run(lambda work: audit.record("partition_probe", subject="probe"))
    return db.session.execute(text("SELECT tableoid::regclass::text FROM audit_event WHERE kind = 'partition_probe' "
                                   "ORDER BY id DESC LIMIT 1")).scalar_one()


def test_sqlite_has_no_partitions(ctx):
    if ON_POSTGRES:
        pytest.skip("on PostgreSQL: see the tests below")
    assert partitions.listing() == [] and partitions.ensure(datetime.now(UTC)) == 0


@pg_only
def test_tables_are_partitioned_by_month_and_made_ahead(ctx):
    kinds = dict(db.session.execute(text("SELECT c.relname, p.partstrat FROM pg_partitioned_table p "
                                         "JOIN pg_class c ON c.oid = p.partrelid")).all())
    assert kinds == {"audit_event": "r", "case_fact": "r"}
    listed = partitions.listing()
    names = {p.name for p in listed}
    assert {"audit_event_default", "case_fact_default"} <= names  # a new database: no legacy partition
    now = datetime.now(UTC)
    assert f"audit_event_y{now.year:04d}m{now.month:02d}" in names
    assert f"audit_event_y{now.year + (now.month == 12):04d}m{now.month % 12 + 1:02d}" in names
    made = partitions.ensure(datetime(2031, 5, 3, tzinfo=UTC), months=1)
    assert made == 4  # May and June 2031, both tables
    assert partitions.ensure(datetime(2031, 5, 3, tzinfo=UTC), months=1) == 0  # idempotent
    assert _record(datetime(2031, 5, 20, 12, tzinfo=UTC)) == "wf_partitions.audit_event_y2031m05"
    assert _record(datetime(2040, 1, 2, tzinfo=UTC)) == "wf_partitions.audit_event_default"
    assert partitions.ensure(datetime(2040, 1, 2, tzinfo=UTC), months=0) == 1  # case_fact only: rows sit in default
    assert "audit_event_y2040m01" not in {p.name for p in partitions.listing()}


@pg_only
def test_the_audit_trail_stays_append_only_on_every_partition(ctx):
    partitions.ensure(datetime(2032, 3, 1, tzinfo=UTC), months=0)
    _record(datetime(2032, 3, 5, tzinfo=UTC))
    assert _record(datetime(2045, 7, 1, tzinfo=UTC)) == "wf_partitions.audit_event_default"
    assert "append-only" in _refused("UPDATE audit_event SET kind = 'x' WHERE kind = 'partition_probe'")
    assert "append-only" in _refused("DELETE FROM audit_event WHERE kind = 'partition_probe'")
    assert "append-only" in _refused("DELETE FROM wf_partitions.audit_event_y2032m03")
    assert "append-only" in _refused("DELETE FROM wf_partitions.audit_event_default")
    for table in ("audit_event", "wf_partitions.audit_event_y2032m03", "wf_partitions.audit_event_default"):
        assert "TRUNCATE is refused" in _refused(f"TRUNCATE {table}"), table


@pg_only
def test_the_scheduler_makes_partitions_ahead(app, monkeypatch):
    import time_machine

    monkeypatch.setitem(partitions._LAST, "at", None)
    report = scheduler.tick(app)
    assert report["partitions"] == 0  # the migration made this month and the next three already
    assert scheduler.tick(app)["partitions"] == 0  # once an hour, not every tick
    later = datetime(2033, 11, 15, 12, tzinfo=UTC)  # months the migration did not make
    monkeypatch.setitem(partitions._LAST, "at", None)
    with time_machine.travel(later, tick=False):
        report = scheduler.tick(app)
    assert report["partitions"] == 8  # November 2033 and the 3 months after it, for both tables
    with app.app_context():
        names = {p.name for p in partitions.listing()}
    for month in ("y2033m11", "y2033m12", "y2034m01", "y2034m02"):
        assert {f"audit_event_{month}", f"case_fact_{month}"} <= names, month
    assert "audit_event_y2034m03" not in names


@pg_only
def test_migrating_existing_tables_keeps_their_rows_in_a_legacy_partition(database_templates):
    import uuid

    from flask_migrate import downgrade, upgrade

    from tests.conftest import BASE_CONFIG
    from workflow_app import create_app

    dbs = database_templates["pg"]
    name = f"{dbs.prefix}_m{uuid.uuid4().hex[:8]}"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": dbs.create(name)})
    directory = app.extensions["migrate"].directory
    try:
        with app.app_context():
            upgrade(directory=directory, revision="0010")
            db.session.execute(text("INSERT INTO audit_event (at, kind, actor) SELECT now() - "
                                    "make_interval(days => n), 'old_event', 'system' FROM generate_series(1, 50) n"))
            db.session.execute(text("INSERT INTO case_fact (at, kind) VALUES (now(), 'old_fact')"))
            db.session.commit()
            upgrade(directory=directory, revision="0011")
            names = {p.name for p in partitions.listing()}
            assert {"audit_event_legacy", "case_fact_legacy"} <= names
            assert db.session.execute(text("SELECT count(*) FROM audit_event WHERE kind = 'old_event'")).scalar() == 50
            before = db.session.execute(text("SELECT max(id) FROM audit_event")).scalar()
            uow.run(lambda work: audit.record("after_migration"))
            assert db.session.execute(text("SELECT max(id) FROM audit_event")).scalar() == before + 1
            assert "append-only" in _refused("DELETE FROM wf_partitions.audit_event_legacy")
            assert "TRUNCATE is refused" in _refused("TRUNCATE wf_partitions.audit_event_legacy")
            downgrade(directory=directory, revision="0010")
            assert db.session.execute(text("SELECT count(*) FROM audit_event")).scalar() == 51
            assert not db.session.execute(text("SELECT count(*) FROM pg_partitioned_table")).scalar()
            assert "append-only" in _refused("DELETE FROM audit_event")
            upgrade(directory=directory)
            assert db.session.execute(text("SELECT count(*) FROM audit_event")).scalar() == 51
            db.session.remove()
            db.engine.dispose()
    finally:
        dbs.drop_later(name)
