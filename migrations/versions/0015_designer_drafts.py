"""designer drafts and test runs

- ``process_draft``: a bundle a designer edits, validates and test-runs before publishing it as a
  process version (never live; its test runs keep their sandbox state in ``test_run``).
- ``process_draft_file``: the draft's files.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "process_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=True),
        sa.Column("locality", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("base_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("validation", sa.Text(), nullable=True),
        sa.Column("test_run", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("published_version_id", sa.Integer(), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft")),
    )
    op.create_index("ix_process_draft_key", "process_draft", ["key", "locality", "status"], unique=False)
    op.create_table(
        "process_draft_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["process_draft.id"], ondelete="CASCADE",
                                name=op.f("fk_process_draft_file_draft_id_process_draft")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft_file")),
        sa.UniqueConstraint("draft_id", "name", name=op.f("uq_process_draft_file_draft_id_name")),
    )
    op.create_index(op.f("ix_process_draft_file_draft_id"), "process_draft_file", ["draft_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_process_draft_file_draft_id"), table_name="process_draft_file")
    op.drop_table("process_draft_file")
    op.drop_index("ix_process_draft_key", table_name="process_draft")
    op.drop_table("process_draft")
