"""Migration 0009 builds exactly what the service-day models describe (tables, columns, indexes,
constraints), on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from workflow_app.extensions import db
from workflow_app.service_day import records

TABLES = {"service_day_setting", "service_day_theme", "service_day_case", "household_visit", "household_visit_due"}
HOUSEHOLD = {"groups", "paired_user_id", "paired_at", "next_visit_due", "visit_opened_for", "last_visited_at"}


def _ours(diff) -> bool:
    """A difference that concerns migration 0009's tables or household columns."""
    for part in diff if isinstance(diff, list) else [diff]:
        for item in part[1:] if isinstance(part, tuple) else []:
            table = getattr(item, "table", None)
            name = getattr(table, "name", None) or getattr(item, "name", None) or (item if isinstance(item, str)
                                                                                   else None)
            if name in TABLES or (name == "household" and any(c in str(part) for c in HOUSEHOLD)):
                return True
    return False


def test_the_migration_matches_the_models(app):
    assert records.HouseholdVisit.__tablename__ in TABLES
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = [d for d in compare_metadata(context, db.metadata) if _ours(d)]
    assert differences == []
