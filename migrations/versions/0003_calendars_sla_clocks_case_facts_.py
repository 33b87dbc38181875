"""calendars, SLA clocks, case facts, notifications, start schedules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:30:02.051774

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locality', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_day')),
    sa.UniqueConstraint('locality', 'day', name=op.f('uq_calendar_day_locality_day'))
    )
    with op.batch_alter_table('calendar_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_day_locality'), ['locality'], unique=False)

    op.create_table('calendar_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locality', sa.String(length=64), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('periods', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_setting')),
    sa.UniqueConstraint('locality', name=op.f('uq_calendar_setting_locality'))
    )
    op.create_table('start_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('expression', sa.Text(), nullable=False),
    sa.Column('next_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_start_schedule_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['version_id'], ['process_version.id'], name=op.f('fk_start_schedule_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_start_schedule')),
    sa.UniqueConstraint('process_key', 'event_id', 'unit_id', name=op.f('uq_start_schedule_process_key_event_id_unit_id'))
    )
    with op.batch_alter_table('start_schedule', schema=None) as batch_op:
        batch_op.create_index('ix_start_schedule_due', ['active', 'next_run_at'], unique=False)

    op.create_table('case_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('human_task_id', sa.Integer(), nullable=True),
    sa.Column('process_key', sa.String(length=128), nullable=True),
    sa.Column('stage', sa.String(length=100), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('unit_path', sa.String(length=1024).with_variant(sa.String(length=1024, collation='C'), 'postgresql'), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_case_fact_actor_id_app_user')),
    sa.ForeignKeyConstraint(['human_task_id'], ['human_task.id'], name=op.f('fk_case_fact_human_task_id_human_task')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_case_fact_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_case_fact_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_fact'))
    )
    with op.batch_alter_table('case_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_fact_human_task_id'), ['human_task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_fact_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_case_fact_kind', ['kind', 'at'], unique=False)
        batch_op.create_index('ix_case_fact_unit', ['unit_path', 'at'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('human_task_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['human_task_id'], ['human_task.id'], name=op.f('fk_notification_human_task_id_human_task')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_notification_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_notification_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user', ['user_id', 'read_at', 'id'], unique=False)

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('sla_amount', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('sla_unit', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sla_started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('warn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('remaining', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('warn_remaining', sa.Double(), nullable=True))
        batch_op.create_index('ix_human_task_due', ['sla_state', 'due_at'], unique=False, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
        batch_op.create_index('ix_human_task_scope', ['state', 'scope_path'], unique=False)
        batch_op.create_index('ix_human_task_warn', ['sla_state', 'warn_at'], unique=False, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))



def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_warn', sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
        batch_op.drop_index('ix_human_task_scope')
        batch_op.drop_index('ix_human_task_due', sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
        batch_op.drop_column('warn_remaining')
        batch_op.drop_column('remaining')
        batch_op.drop_column('paused_at')
        batch_op.drop_column('warn_at')
        batch_op.drop_column('sla_started_at')
        batch_op.drop_column('sla_unit')
        batch_op.drop_column('sla_amount')
        batch_op.drop_column('stage')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user')

    op.drop_table('notification')
    with op.batch_alter_table('case_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_case_fact_unit')
        batch_op.drop_index('ix_case_fact_kind')
        batch_op.drop_index(batch_op.f('ix_case_fact_instance_id'))
        batch_op.drop_index(batch_op.f('ix_case_fact_human_task_id'))

    op.drop_table('case_fact')
    with op.batch_alter_table('start_schedule', schema=None) as batch_op:
        batch_op.drop_index('ix_start_schedule_due')

    op.drop_table('start_schedule')
    op.drop_table('calendar_setting')
    with op.batch_alter_table('calendar_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_day_locality'))

    op.drop_table('calendar_day')
