"""production: heartbeats, retention, partitions

- ``scheduler_heartbeat``: one row per scheduler process, written every tick (readiness, the
  operations page).
- ``retained_case``: completed cases whose engine state retention compacted (``flask retention``).
- PostgreSQL only: ``audit_event`` and ``case_fact`` become range-partitioned by month on ``at``
  (declarative partitioning). Existing rows are **not copied**: the existing table is moved to the
  ``wf_partitions`` schema and attached as the partition ``…_legacy`` for everything before the
  first day of next month (an empty table, a new installation's, is simply replaced) (one scan to validate the bound and one index build for the new primary
  key ``(id, at)``: a partitioned table's unique keys must include the partition key). New months
  get partitions of their own, created ahead by the scheduler (``wf_partitions_ensure``, a SECURITY
  DEFINER function owned by the migrating role, so the app's role needs no DDL rights); a DEFAULT
  partition catches rows outside every month made so far (a clock far off), so an insert never fails.
  Partitions live in the schema ``wf_partitions`` (the app reaches them only through the parent
  tables; ``flask db check`` compares the parents with the models).
- The append-only guards of ``audit_event`` keep working: the row trigger refusing UPDATE and DELETE
  is declared on the parent (PostgreSQL clones row triggers to every partition, also to partitions
  attached later), the TRUNCATE statement trigger is declared on the parent *and* on each partition
  (statement triggers are not inherited, and a partition can be truncated by name).
- SQLite stays unpartitioned.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 12:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SCHEMA = "wf_partitions"
AHEAD = 3  # months made by the migration itself; the scheduler keeps making them ahead

ENSURE_FUNCTION = f'''
CREATE OR REPLACE FUNCTION wf_partitions_ensure(parent text, first_month date, months integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    made integer := 0;
    lo date;
    hi date;
    part text;
BEGIN
    IF parent NOT IN ('audit_event', 'case_fact') THEN
        RAISE EXCEPTION 'not a partitioned table: %', parent;
    END IF;
    IF months < 1 OR months > 24 THEN
        RAISE EXCEPTION 'months must be between 1 and 24';
    END IF;
    PERFORM set_config('lock_timeout', '5s', true);
    FOR i IN 0 .. months - 1 LOOP
        lo := (date_trunc('month', first_month) + make_interval(months => i))::date;
        hi := (lo + interval '1 month')::date;
        part := format('%s_y%sm%s', parent, to_char(lo, 'YYYY'), to_char(lo, 'MM'));
        CONTINUE WHEN to_regclass(format('{SCHEMA}.%I', part)) IS NOT NULL;
        BEGIN
            EXECUTE format('CREATE TABLE {SCHEMA}.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                           part, parent, lo, hi);
            IF parent = 'audit_event' THEN
                EXECUTE format('CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {SCHEMA}.%I '
                               'FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate()', part);
            END IF;
            made := made + 1;
        EXCEPTION
            -- 42P17: the month overlaps the legacy partition; 23514: rows for it sit in the default
            -- partition already (left there: still found, only not pruned); 55P03: busy, next time.
            WHEN invalid_object_definition OR check_violation OR lock_not_available THEN
                NULL;
        END;
    END LOOP;
    RETURN made;
END;
$$;
'''

NO_TRUNCATE_ON = "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {table} " \
                 "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate()"
APPEND_ONLY_ON = "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {table} " \
                 "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
INDEXES = {
    "audit_event": ["CREATE INDEX ix_audit_event_instance_id ON audit_event (instance_id)",
                    "CREATE INDEX ix_audit_event_subject ON audit_event (subject)"],
    "case_fact": ["CREATE INDEX ix_case_fact_human_task_id ON case_fact (human_task_id)",
                  "CREATE INDEX ix_case_fact_instance_id ON case_fact (instance_id)",
                  "CREATE INDEX ix_case_fact_kind ON case_fact (kind, at)",
                  "CREATE INDEX ix_case_fact_unit ON case_fact (unit_path, at)"],
}
FOREIGN_KEYS = {
    "audit_event": [],
    "case_fact": [("fk_case_fact_actor_id_app_user", "actor_id", "app_user"),
                  ("fk_case_fact_human_task_id_human_task", "human_task_id", "human_task"),
                  ("fk_case_fact_instance_id_process_instance", "instance_id", "process_instance"),
                  ("fk_case_fact_unit_id_org_unit", "unit_id", "org_unit")],
}


def _next_month() -> str:
    now = datetime.now(timezone.utc)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return f"{year:04d}-{month:02d}-01"


def _partition(table: str, bound: str) -> None:
    """``table`` becomes a partitioned table; its rows stay where they are, as the legacy partition
    (an empty table, a new installation's, is simply replaced: months from this one on)."""
    legacy = f"{table}_legacy"
    empty = not op.get_bind().execute(sa.text(f"SELECT EXISTS (SELECT 1 FROM {table})")).scalar()
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
    if table == "audit_event":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    op.execute(f"ALTER TABLE {table} RENAME TO {legacy}")
    op.execute(f"ALTER TABLE {legacy} ALTER COLUMN id DROP DEFAULT")
    op.execute(f"ALTER TABLE {legacy} DROP CONSTRAINT pk_{table}")
    op.execute(f"ALTER TABLE {legacy} SET SCHEMA {SCHEMA}")  # its indexes and foreign keys go along
    op.execute(f"CREATE TABLE {table} (LIKE {SCHEMA}.{legacy}) PARTITION BY RANGE (at)")
    op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq'::regclass)")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (id, at)")
    for name, column, target in FOREIGN_KEYS[table]:
        # Declared before the legacy table is attached: attaching adopts its equal foreign keys
        # (no second validation of every row).
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {target} (id)")
    for statement in INDEXES[table]:
        op.execute(statement)  # the legacy table's equal indexes are attached, not rebuilt
    if empty:
        op.execute(f"DROP TABLE {SCHEMA}.{legacy}")
    else:
        op.execute(f"ALTER TABLE {table} ATTACH PARTITION {SCHEMA}.{legacy} FOR VALUES FROM (MINVALUE) TO ('{bound}')")
    op.execute(f"CREATE TABLE {SCHEMA}.{table}_default PARTITION OF {table} DEFAULT")
    if table == "audit_event":
        op.execute(APPEND_ONLY_ON.format(table="audit_event"))
        for target in ("audit_event", f"{SCHEMA}.audit_event_default") + (() if empty else (f"{SCHEMA}.{legacy}",)):
            op.execute(NO_TRUNCATE_ON.format(table=target))
    first, months = (f"date_trunc('month', now() AT TIME ZONE 'UTC')::date", AHEAD + 1) if empty \
        else (f"DATE '{bound}'", AHEAD)
    op.execute(f"SELECT wf_partitions_ensure('{table}', {first}, {months})")


def _unpartition(table: str) -> None:
    plain = f"{table}_plain"
    op.execute(f"CREATE TABLE {plain} (LIKE {table} INCLUDING DEFAULTS)")
    op.execute(f"INSERT INTO {plain} SELECT * FROM {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
    op.execute(f"DROP TABLE {table} CASCADE")  # with its partitions (no row or TRUNCATE trigger fires)
    op.execute(f"ALTER TABLE {plain} RENAME TO {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (id)")
    for name, column, target in FOREIGN_KEYS[table]:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {target} (id)")
    for statement in INDEXES[table]:
        op.execute(statement)
    if table == "audit_event":
        op.execute(APPEND_ONLY_ON.format(table="audit_event"))
        op.execute(NO_TRUNCATE_ON.format(table="audit_event"))


def upgrade():
    op.create_table(
        'scheduler_heartbeat',
        sa.Column('node', sa.String(length=120), nullable=False),
        sa.Column('host', sa.String(length=100), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('beat_at', sa.DateTime(), nullable=False),
        sa.Column('ticks', sa.Integer(), nullable=False),
        sa.Column('interval', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('node', name=op.f('pk_scheduler_heartbeat')),
    )
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduler_heartbeat_beat_at'), ['beat_at'], unique=False)
    op.create_table(
        'retained_case',
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('retained_at', sa.DateTime(), nullable=False),
        sa.Column('bytes_before', sa.Integer(), nullable=False),
        sa.Column('bytes_after', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('instance_id', name=op.f('pk_retained_case')),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        op.execute(ENSURE_FUNCTION)
        bound = _next_month()
        for table in ("audit_event", "case_fact"):
            _partition(table, bound)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("audit_event", "case_fact"):
            _unpartition(table)
        op.execute("DROP FUNCTION IF EXISTS wf_partitions_ensure(text, date, integer)")
        op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    op.drop_table('retained_case')
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduler_heartbeat_beat_at'))
    op.drop_table('scheduler_heartbeat')
