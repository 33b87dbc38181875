"""English of the catalogue, of case titles and of notifications

- ``catalogue_condition``: ``category_en``, ``subcategory_en``, ``condition_en``,
  ``closing_condition_en`` (optional CSV columns of the same names; the Chinese where empty);
- ``human_task.title_en``: the case title in English (the process's ``name_en`` and the model's
  ``title_en``), beside the Chinese ``title``;
- ``notification.params``: the message id and its arguments ({"key", "args"}), so each reader
  gets a notification in their language; older rows (none) are read from their Chinese text.

All nullable columns added in place (no table rebuild, so the ``human_task`` triggers of 0017
stay as they are on SQLite too).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 21:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

CATALOGUE = (("category_en", 100), ("subcategory_en", 100), ("condition_en", 300), ("closing_condition_en", 300))


def upgrade():
    for name, length in CATALOGUE:
        op.add_column("catalogue_condition", sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column("human_task", sa.Column("title_en", sa.String(length=500), nullable=True))
    op.add_column("notification", sa.Column("params", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("params")
    if op.get_bind().dialect.name == "sqlite":
        # a rebuild of human_task would drop 0017's triggers: SQLite (3.35+) drops the column in place
        op.execute("ALTER TABLE human_task DROP COLUMN title_en")
    else:
        op.drop_column("human_task", "title_en")
    with op.batch_alter_table("catalogue_condition") as batch:
        for name, _length in reversed(CATALOGUE):
            batch.drop_column(name)
