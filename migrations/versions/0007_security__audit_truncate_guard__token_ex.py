"""security: audit truncate guard, token expiry, login limits, attachment binding

- PostgreSQL refuses ``TRUNCATE audit_event`` (a statement trigger), as it already refuses UPDATE
  and DELETE; on SQLite the DELETE trigger already stops the truncate optimisation.
- ``api_token.expires_at``: tokens made before it keep no expiry until rotated (NULL).
- ``task_attachment.storage_key``: set for files uploaded to the server, unique, so a stored file
  belongs to one attachment (one task, one case). Existing rows: the first attachment naming an
  ``uploads/…`` key gets it; later rows that re-used the key (attached through the API) keep their
  reference as text and are no longer served.
- ``visibility_grant``: (user, case, field class, until) grants, e.g. an evaluation sample.
- ``login_attempt`` gets an index on (username, remote_addr, at) for the per-pair back-off.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NO_TRUNCATE_PG = '''
CREATE OR REPLACE FUNCTION audit_event_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: TRUNCATE is refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();
'''
_ATTACHMENT = sa.table("task_attachment", sa.column("id", sa.Integer), sa.column("reference", sa.String),
                       sa.column("storage_key", sa.String))
_UPLOAD_KEY = "uploads/"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_TRUNCATE_PG)
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('storage_key', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_task_attachment_storage_key'), ['storage_key'])
    _bind_stored_files()
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_pair', ['username', 'remote_addr', 'at'], unique=False)
    op.create_table(
        'visibility_grant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('field_class', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('granted_by', sa.String(length=64), nullable=True),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_visibility_grant_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                                name=op.f('fk_visibility_grant_instance_id_process_instance'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visibility_grant')),
    )
    with op.batch_alter_table('visibility_grant', schema=None) as batch_op:
        batch_op.create_index('ix_visibility_grant_lookup', ['user_id', 'instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visibility_grant_instance_id'), ['instance_id'], unique=False)


def _bind_stored_files():
    """The first attachment of each uploaded file owns it; re-uses of its key stay mere text."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(_ATTACHMENT.c.id, _ATTACHMENT.c.reference)
                        .where(_ATTACHMENT.c.reference.like(_UPLOAD_KEY + "%")).order_by(_ATTACHMENT.c.id)).all()
    owners = {}
    for row_id, reference in rows:
        owners.setdefault(reference, row_id)
    for reference, row_id in owners.items():
        bind.execute(_ATTACHMENT.update().where(_ATTACHMENT.c.id == row_id).values(storage_key=reference))


def downgrade():
    with op.batch_alter_table('visibility_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visibility_grant_instance_id'))
        batch_op.drop_index('ix_visibility_grant_lookup')
    op.drop_table('visibility_grant')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_pair')
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_task_attachment_storage_key'), type_='unique')
        batch_op.drop_column('storage_key')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_no_truncate()")
