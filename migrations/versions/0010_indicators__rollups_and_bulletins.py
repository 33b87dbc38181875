"""indicators, rollups and bulletins

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00

Indicator definition versions, the case ledger, daily rollups and stock deltas of atoms, tasks
counted overdue, the facts stream's cursor, frozen months with their snapshots, and adjustments.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Materialized paths compare byte-wise on PostgreSQL (as org_unit.path does).
PATH = sa.String(length=1024).with_variant(sa.String(length=1024, collation='C'), 'postgresql')


def upgrade():
    op.create_table('indicator_cursor',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('gaps', sa.Text(), nullable=True),
    sa.Column('rules', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_indicator_cursor'))
    )
    op.create_table('indicator_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locality', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('deployed_at', sa.DateTime(), nullable=False),
    sa.Column('deployed_by', sa.String(length=64), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_definitions')),
    sa.UniqueConstraint('locality', 'version', name=op.f('uq_indicator_definitions_locality_version'))
    )
    op.create_table('indicator_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_path', PATH, nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('atom', sa.String(length=200), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('total', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_rollup')),
    sa.UniqueConstraint('day', 'unit_id', 'actor_id', 'atom', name=op.f('uq_indicator_rollup_day_unit_id_actor_id_atom'))
    )
    with op.batch_alter_table('indicator_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_rollup_scan', ['actor_id', 'day', 'unit_path'], unique=False)

    op.create_table('indicator_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_path', PATH, nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('atom', sa.String(length=200), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_stock')),
    sa.UniqueConstraint('day', 'unit_id', 'actor_id', 'atom', name=op.f('uq_indicator_stock_day_unit_id_actor_id_atom'))
    )
    with op.batch_alter_table('indicator_stock', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_stock_scan', ['actor_id', 'day', 'unit_path'], unique=False)

    op.create_table('indicator_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('root_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=24), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_path', PATH, nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=True),
    sa.Column('atom', sa.String(length=200), nullable=True),
    sa.Column('delta', sa.Double(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_indicator_adjustment_author_id_app_user')),
    sa.ForeignKeyConstraint(['root_id'], ['org_unit.id'], name=op.f('fk_indicator_adjustment_root_id_org_unit')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_indicator_adjustment_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_adjustment'))
    )
    with op.batch_alter_table('indicator_adjustment', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_adjustment_period', ['root_id', 'period', 'unit_path'], unique=False)

    op.create_table('indicator_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('root_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.Column('definitions', sa.Text(), nullable=False),
    sa.Column('last_fact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['root_id'], ['org_unit.id'], name=op.f('fk_indicator_period_root_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_period')),
    sa.UniqueConstraint('root_id', 'period', name=op.f('uq_indicator_period_root_id_period'))
    )
    op.create_table('indicator_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_path', PATH, nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('closing', sa.String(length=40), nullable=True),
    sa.Column('overdue_day', sa.Date(), nullable=True),
    sa.Column('kinds', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_indicator_case_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_indicator_case_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_case')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_indicator_case_instance_id'))
    )
    with op.batch_alter_table('indicator_case', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_case_pending', ['due_at'], unique=False, sqlite_where=sa.text('closed_at IS NULL AND overdue_day IS NULL'), postgresql_where=sa.text('closed_at IS NULL AND overdue_day IS NULL'))
        batch_op.create_index('ix_indicator_case_unit', ['unit_path', 'due_at'], unique=False)

    op.create_table('indicator_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_path', PATH, nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('atom', sa.String(length=200), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('total', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['indicator_period.id'], name=op.f('fk_indicator_snapshot_period_id_indicator_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_snapshot'))
    )
    with op.batch_alter_table('indicator_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_snapshot_scan', ['period_id', 'actor_id', 'unit_path'], unique=False)

    op.create_table('indicator_task_overdue',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_path', PATH, nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('atom', sa.String(length=200), nullable=False),
    sa.Column('start_day', sa.Date(), nullable=False),
    sa.Column('end_day', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_indicator_task_overdue_task_id_human_task')),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_indicator_task_overdue'))
    )
    with op.batch_alter_table('indicator_task_overdue', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_task_overdue_open', ['task_id'], unique=False, sqlite_where=sa.text('end_day IS NULL'), postgresql_where=sa.text('end_day IS NULL'))

    # ### end Alembic commands ###


def downgrade():
    with op.batch_alter_table('indicator_task_overdue', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_task_overdue_open', sqlite_where=sa.text('end_day IS NULL'), postgresql_where=sa.text('end_day IS NULL'))

    op.drop_table('indicator_task_overdue')
    with op.batch_alter_table('indicator_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_snapshot_scan')

    op.drop_table('indicator_snapshot')
    with op.batch_alter_table('indicator_case', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_case_unit')
        batch_op.drop_index('ix_indicator_case_pending', sqlite_where=sa.text('closed_at IS NULL AND overdue_day IS NULL'), postgresql_where=sa.text('closed_at IS NULL AND overdue_day IS NULL'))

    op.drop_table('indicator_case')
    op.drop_table('indicator_period')
    with op.batch_alter_table('indicator_adjustment', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_adjustment_period')

    op.drop_table('indicator_adjustment')
    with op.batch_alter_table('indicator_stock', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_stock_scan')

    op.drop_table('indicator_stock')
    with op.batch_alter_table('indicator_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_rollup_scan')

    op.drop_table('indicator_rollup')
    op.drop_table('indicator_definitions')
    op.drop_table('indicator_cursor')
    # ### end Alembic commands ###
