"""field work on the phone, idempotent reports, notifications

- ``start_request``: a case started with an ``Idempotency-Key`` (unique per reporter and key), so a
  report retried from a phone (offline outbox, a reload while sending) starts one case only.
- ``case_file``: photos uploaded with a report, bound to the case they started.
- ``saved_filter``: a person's named inbox filters.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "start_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("idem_key", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_start_request_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_start_request_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_start_request")),
        sa.UniqueConstraint("user_id", "idem_key", name=op.f("uq_start_request_user_id_idem_key")),
    )
    op.create_index(op.f("ix_start_request_instance_id"), "start_request", ["instance_id"], unique=False)
    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_case_file_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["app_user.id"], name=op.f("fk_case_file_uploaded_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_case_file_storage_key")),
    )
    op.create_index(op.f("ix_case_file_instance_id"), "case_file", ["instance_id"], unique=False)
    op.create_table(
        "saved_filter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_saved_filter_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filter")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_filter_user_id_name")),
    )
    op.create_index(op.f("ix_saved_filter_user_id"), "saved_filter", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_saved_filter_user_id"), table_name="saved_filter")
    op.drop_table("saved_filter")
    op.drop_index(op.f("ix_case_file_instance_id"), table_name="case_file")
    op.drop_table("case_file")
    op.drop_index(op.f("ix_start_request_instance_id"), table_name="start_request")
    op.drop_table("start_request")
