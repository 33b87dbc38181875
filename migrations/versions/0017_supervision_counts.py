"""supervision counts kept by triggers

- ``supervision_count``: open tasks per (scope path and unit, case unit for summoned departments'
  and outside bodies' tasks else 0, stage, process, SLA colour), as of the scheduler's last fold;
- ``supervision_delta``: the ±1 rows the triggers on ``human_task`` append as tasks open, close or
  change colour, stage or scope (append-only between folds: no shared row is updated in a
  completion, so concurrent completions never wait on one another);
- ``supervision_multitask_case``: the cases with more than one open task.
Triggers on ``org_unit`` (a kind change) and ``process_instance`` (a case moved to another unit)
re-key the open tasks they concern. The counts are filled from the open tasks here;
``flask supervision-recount`` rebuilds them (docs/deploy.md). On SQLite, a later migration that
rebuilds ``human_task`` (batch_alter_table) drops its triggers: it must create them again.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PATH = sa.String(length=1024).with_variant(sa.String(length=1024, collation="C"), "postgresql")
SUMMONED = "'department', 'external'"  # sla.supervision.SUMMONED_KINDS: their tasks count on the case's unit
COLUMNS = "scope_path, scope_unit_id, case_unit_id, stage, process_key, colour, tasks"
KEYED = ("scope_path", "stage", "process_key", "sla_state", "scope_unit_id", "instance_id")


def case_unit(t: str) -> str:
    return (f"CASE WHEN (SELECT kind FROM org_unit WHERE id = {t}.scope_unit_id) IN ({SUMMONED}) "
            f"THEN coalesce((SELECT org_unit_id FROM process_instance WHERE id = {t}.instance_id), 0) ELSE 0 END")


def key_values(t: str, unit: str | None = None) -> list[str]:
    """A task's key (``t``: the row's name), as the triggers, the fill and the recount compute it."""
    return [f"coalesce({t}.scope_path, '')", f"coalesce({t}.scope_unit_id, 0)", unit or case_unit(t),
            f"coalesce({t}.stage, '')", f"{t}.process_key", f"coalesce({t}.sla_state, '')"]


def key(t: str, tasks: str, unit: str | None = None) -> str:
    return ", ".join([*key_values(t, unit), tasks])


def delta(t: str, sign: int, where: str = "") -> str:
    return f"INSERT INTO supervision_delta ({COLUMNS}) SELECT {key(t, str(sign))}{where};"


NAMES = ("scope_path", "scope_unit_id", "case_unit_id", "stage", "process_key", "colour")
OPEN_KEYS = ", ".join(f"{value} AS {name}" for value, name in zip(key_values("t"), NAMES, strict=True))
FILL = (f"INSERT INTO supervision_count ({COLUMNS}) SELECT {', '.join(NAMES)}, count(*) FROM "
        f"(SELECT {OPEN_KEYS} FROM human_task t WHERE t.state = 'open') AS open_task GROUP BY {', '.join(NAMES)}",
        "INSERT INTO supervision_multitask_case (instance_id) SELECT instance_id FROM human_task "
        "WHERE state = 'open' GROUP BY instance_id HAVING count(*) > 1")


def _rekey(where: str, old_unit: str, new_unit: str) -> str:
    """-1 under the old key, +1 under the new, for the open tasks ``where`` names (t, p: the case)."""
    rows = "FROM human_task t LEFT JOIN process_instance p ON p.id = t.instance_id WHERE t.state = 'open' AND "
    return (f"INSERT INTO supervision_delta ({COLUMNS}) SELECT {key('t', '-1', old_unit)} {rows}{where}; "
            f"INSERT INTO supervision_delta ({COLUMNS}) SELECT {key('t', '1', new_unit)} {rows}{where};")


UNIT_KIND = _rekey("t.scope_unit_id = NEW.id",
                   f"CASE WHEN OLD.kind IN ({SUMMONED}) THEN coalesce(p.org_unit_id, 0) ELSE 0 END",
                   f"CASE WHEN NEW.kind IN ({SUMMONED}) THEN coalesce(p.org_unit_id, 0) ELSE 0 END")
CASE_UNIT = _rekey(f"t.instance_id = NEW.id AND (SELECT kind FROM org_unit WHERE id = t.scope_unit_id) IN ({SUMMONED})",
                   "coalesce(OLD.org_unit_id, 0)", "coalesce(NEW.org_unit_id, 0)")

PG = f"""
CREATE FUNCTION supervision_note_case(instance integer) RETURNS void AS $$
BEGIN
    IF (SELECT count(*) FROM (SELECT 1 FROM human_task WHERE instance_id = instance AND state = 'open' LIMIT 2) two) > 1
    THEN
        INSERT INTO supervision_multitask_case (instance_id) VALUES (instance) ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM supervision_multitask_case WHERE instance_id = instance;
    END IF;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION supervision_count_task() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.state = 'open' THEN {delta('OLD', -1)} END IF;
    IF TG_OP <> 'DELETE' AND NEW.state = 'open' THEN {delta('NEW', 1)} END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.state <> NEW.state OR OLD.instance_id <> NEW.instance_id)) THEN
        PERFORM supervision_note_case(OLD.instance_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.instance_id <> OLD.instance_id) THEN
        PERFORM supervision_note_case(NEW.instance_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER supervision_count_insert AFTER INSERT ON human_task
    FOR EACH ROW WHEN (NEW.state = 'open') EXECUTE FUNCTION supervision_count_task();
CREATE TRIGGER supervision_count_update AFTER UPDATE ON human_task
    FOR EACH ROW WHEN ((OLD.state = 'open' OR NEW.state = 'open') AND
                       ({', '.join('OLD.' + c for c in ('state', *KEYED))}) IS DISTINCT FROM
                       ({', '.join('NEW.' + c for c in ('state', *KEYED))}))
    EXECUTE FUNCTION supervision_count_task();
CREATE TRIGGER supervision_count_delete AFTER DELETE ON human_task
    FOR EACH ROW WHEN (OLD.state = 'open') EXECUTE FUNCTION supervision_count_task();
CREATE FUNCTION supervision_unit_kind() RETURNS trigger AS $$
BEGIN {UNIT_KIND} RETURN NULL; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER supervision_unit_kind AFTER UPDATE OF kind ON org_unit
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION supervision_unit_kind();
CREATE FUNCTION supervision_case_unit() RETURNS trigger AS $$
BEGIN {CASE_UNIT} RETURN NULL; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER supervision_case_unit AFTER UPDATE OF org_unit_id ON process_instance
    FOR EACH ROW WHEN (OLD.org_unit_id IS DISTINCT FROM NEW.org_unit_id) EXECUTE FUNCTION supervision_case_unit();
"""


def _note_sqlite(t: str) -> str:
    two = f"(SELECT count(*) FROM human_task WHERE instance_id = {t}.instance_id AND state = 'open')"
    return (f"INSERT OR IGNORE INTO supervision_multitask_case (instance_id) SELECT {t}.instance_id WHERE {two} > 1; "
            f"DELETE FROM supervision_multitask_case WHERE instance_id = {t}.instance_id AND {two} < 2;")


WAS_OPEN, IS_OPEN = " WHERE OLD.state = 'open'", " WHERE NEW.state = 'open'"
CHANGED_SQLITE = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("state", *KEYED))
SQLITE = (
    f"CREATE TRIGGER supervision_count_insert AFTER INSERT ON human_task WHEN NEW.state = 'open' "
    f"BEGIN {delta('NEW', 1)} {_note_sqlite('NEW')} END",
    f"CREATE TRIGGER supervision_count_update AFTER UPDATE OF {', '.join(('state', *KEYED))} ON human_task "
    f"WHEN (OLD.state = 'open' OR NEW.state = 'open') AND ({CHANGED_SQLITE}) "
    f"BEGIN {delta('OLD', -1, WAS_OPEN)} {delta('NEW', 1, IS_OPEN)} "
    f"{_note_sqlite('OLD')} {_note_sqlite('NEW')} END",
    f"CREATE TRIGGER supervision_count_delete AFTER DELETE ON human_task WHEN OLD.state = 'open' "
    f"BEGIN {delta('OLD', -1)} {_note_sqlite('OLD')} END",
    f"CREATE TRIGGER supervision_unit_kind AFTER UPDATE OF kind ON org_unit WHEN OLD.kind IS NOT NEW.kind "
    f"BEGIN {UNIT_KIND} END",
    f"CREATE TRIGGER supervision_case_unit AFTER UPDATE OF org_unit_id ON process_instance "
    f"WHEN OLD.org_unit_id IS NOT NEW.org_unit_id BEGIN {CASE_UNIT} END",
)
TRIGGERS = (("supervision_count_insert", "human_task"), ("supervision_count_update", "human_task"),
            ("supervision_count_delete", "human_task"), ("supervision_unit_kind", "org_unit"),
            ("supervision_case_unit", "process_instance"))
FUNCTIONS = ("supervision_count_task()", "supervision_note_case(integer)", "supervision_unit_kind()",
             "supervision_case_unit()")


def _key_columns():
    return [sa.Column("scope_path", PATH, nullable=False), sa.Column("scope_unit_id", sa.Integer(), nullable=False),
            sa.Column("case_unit_id", sa.Integer(), nullable=False),
            sa.Column("stage", sa.String(length=100), nullable=False),
            sa.Column("process_key", sa.String(length=128), nullable=False),
            sa.Column("colour", sa.String(length=8), nullable=False)]


def upgrade():
    op.create_table(
        "supervision_count", *_key_columns(), sa.Column("tasks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope_path", "scope_unit_id", "case_unit_id", "stage", "process_key", "colour",
                                name=op.f("pk_supervision_count")),
    )
    op.create_table(
        "supervision_delta",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False), *_key_columns(),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_delta")),
    )
    op.create_table(
        "supervision_multitask_case",
        sa.Column("instance_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_supervision_multitask_case")),
    )
    for statement in FILL:
        op.execute(statement)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG)
    else:
        for statement in SQLITE:
            op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        for function in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_table("supervision_multitask_case")
    op.drop_table("supervision_delta")
    op.drop_table("supervision_count")
