"""grid service days and visits (网格服务日、专人结对)

- ``service_day_setting``: each locality's service-day rule, planning lead, visit deadline and
  pairing cap (a unit without a row inherits from the units above it);
- ``service_day_theme``: a month's theme and themed projects for a town or county;
- ``service_day_case``: the service-day and planning cases per unit and month (one of each);
- ``household_visit``: recorded visits; ``household_visit_due``: households due a visit per case;
- on ``household``: other special groups, the paired person, the next visit's due date, the due
  date a visit was opened for, and when it was last visited.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Materialized paths compare byte-wise on PostgreSQL (as org_unit.path does).
PATH = sa.String(length=1024).with_variant(sa.String(length=1024, collation='C'), 'postgresql')


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _settings():
    op.create_table(
        'service_day_setting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.Text(), nullable=True),
        sa.Column('lead_days', sa.Integer(), nullable=True),
        sa.Column('deadline_days', sa.Integer(), nullable=True),
        sa.Column('pairing_cap', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=True),
        _fk('service_day_setting', 'unit_id', 'org_unit'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_day_setting')),
        sa.UniqueConstraint('unit_id', name=op.f('uq_service_day_setting_unit_id')),
    )
    op.create_table(
        'service_day_theme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('theme', sa.String(length=200), nullable=False),
        sa.Column('projects', sa.Text(), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('set_by', sa.String(length=64), nullable=True),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        _fk('service_day_theme', 'unit_id', 'org_unit'),
        _fk('service_day_theme', 'instance_id', 'process_instance'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_day_theme')),
        sa.UniqueConstraint('unit_id', 'month', name=op.f('uq_service_day_theme_unit_id_month')),
    )
    op.create_table(
        'service_day_case',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('service_date', sa.Date(), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('service_day_case', 'unit_id', 'org_unit'),
        _fk('service_day_case', 'instance_id', 'process_instance'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_day_case')),
        sa.UniqueConstraint('unit_id', 'month', 'kind', name=op.f('uq_service_day_case_unit_id_month_kind')),
    )
    with op.batch_alter_table('service_day_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_day_case_instance_id'), ['instance_id'], unique=False)


def _visits():
    op.create_table(
        'household_visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('unit_path', PATH, nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('visited_at', sa.DateTime(), nullable=False),
        sa.Column('visitor_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('needs', sa.Text(), nullable=True),
        sa.Column('help_given', sa.Text(), nullable=True),
        sa.Column('photos', sa.Text(), nullable=True),
        sa.Column('problem_found', sa.Boolean(), nullable=False),
        sa.Column('problem_description', sa.Text(), nullable=True),
        sa.Column('problem_code', sa.String(length=64), nullable=True),
        sa.Column('event_instance_id', sa.Integer(), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('cadence_days', sa.Integer(), nullable=True),
        sa.Column('next_due', sa.Date(), nullable=True),
        _fk('household_visit', 'household_id', 'household'),
        _fk('household_visit', 'visitor_id', 'app_user'),
        _fk('household_visit', 'event_instance_id', 'process_instance'),
        _fk('household_visit', 'instance_id', 'process_instance'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_household_visit')),
        sa.UniqueConstraint('instance_id', 'household_id', name=op.f('uq_household_visit_instance_id_household_id')),
    )
    with op.batch_alter_table('household_visit', schema=None) as batch_op:
        batch_op.create_index('ix_household_visit_unit', ['unit_path', 'month'], unique=False)
        batch_op.create_index('ix_household_visit_household', ['household_id', 'visited_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_visit_visitor_id'), ['visitor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_visit_event_instance_id'), ['event_instance_id'],
                              unique=False)
    op.create_table(
        'household_visit_due',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('unit_path', PATH, nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('household_visit_due', 'household_id', 'household'),
        _fk('household_visit_due', 'instance_id', 'process_instance'),
        _fk('household_visit_due', 'visit_id', 'household_visit'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_household_visit_due')),
        sa.UniqueConstraint('instance_id', 'household_id',
                            name=op.f('uq_household_visit_due_instance_id_household_id')),
    )
    with op.batch_alter_table('household_visit_due', schema=None) as batch_op:
        batch_op.create_index('ix_household_visit_due_unit', ['unit_path', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_visit_due_household_id'), ['household_id'], unique=False)


def _households():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('groups', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('paired_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paired_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_visit_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('visit_opened_for', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_visited_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_household_paired_user_id_app_user'), 'app_user',
                                    ['paired_user_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_household_paired_user_id'), ['paired_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_next_visit_due'), ['next_visit_due'], unique=False)


def upgrade():
    _settings()
    _visits()
    _households()


def downgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_next_visit_due'))
        batch_op.drop_index(batch_op.f('ix_household_paired_user_id'))
        batch_op.drop_constraint(batch_op.f('fk_household_paired_user_id_app_user'), type_='foreignkey')
        for column in ('last_visited_at', 'visit_opened_for', 'next_visit_due', 'paired_at', 'paired_user_id',
                       'groups'):
            batch_op.drop_column(column)
    op.drop_table('household_visit_due')
    op.drop_table('household_visit')
    op.drop_table('service_day_case')
    op.drop_table('service_day_theme')
    op.drop_table('service_day_setting')
