"""third-party and reverse evaluation, appeals, honours, points

- ``evaluation_setting``: a locality's evaluation data (what it changes of
  ``processes/evaluation/evaluation.json``).
- ``evaluation_round``, ``evaluation_sample``, ``evaluation_survey``: the evaluator's rounds, the
  drawn cases with their callbacks, the grids' social surveys.
- ``evaluation_honour``: the honours roll (荣誉), by period.
- ``points_account``, ``points_entry``, ``points_cursor``: the points ledger (a balance never below
  zero: a CHECK beside the conditional UPDATE that redeems).

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

PATH = sa.String(length=1024).with_variant(sa.String(length=1024, collation='C'), 'postgresql')


def _fk(table, column, target, key="id"):
    return sa.ForeignKeyConstraint([column], [f"{target}.{key}"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        'evaluation_setting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        _fk('evaluation_setting', 'unit_id', 'org_unit'),
        _fk('evaluation_setting', 'updated_by_id', 'app_user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_setting')),
        sa.UniqueConstraint('unit_id', name=op.f('uq_evaluation_setting_unit_id')),
    )
    op.create_table(
        'evaluation_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_path', PATH, nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('share', sa.Double(), nullable=False),
        sa.Column('minimum', sa.Integer(), nullable=False),
        sa.Column('seed', sa.String(length=64), nullable=False),
        sa.Column('sample_size', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        _fk('evaluation_round', 'unit_id', 'org_unit'),
        _fk('evaluation_round', 'instance_id', 'process_instance'),
        _fk('evaluation_round', 'created_by_id', 'app_user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_round')),
    )
    op.create_index(op.f('ix_evaluation_round_unit_id'), 'evaluation_round', ['unit_id'], unique=False)
    op.create_table(
        'evaluation_sample',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('grid_id', sa.Integer(), nullable=False),
        sa.Column('grid_path', PATH, nullable=False),
        sa.Column('reporter_id', sa.Integer(), nullable=True),
        sa.Column('called_at', sa.DateTime(), nullable=True),
        sa.Column('called_by_id', sa.Integer(), nullable=True),
        sa.Column('reached', sa.Boolean(), nullable=True),
        sa.Column('solved', sa.Boolean(), nullable=True),
        sa.Column('satisfaction', sa.String(length=16), nullable=True),
        sa.Column('attitude', sa.String(length=16), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('mismatch', sa.Boolean(), nullable=False),
        _fk('evaluation_sample', 'round_id', 'evaluation_round'),
        _fk('evaluation_sample', 'case_id', 'process_instance'),
        _fk('evaluation_sample', 'grid_id', 'org_unit'),
        _fk('evaluation_sample', 'reporter_id', 'app_user'),
        _fk('evaluation_sample', 'called_by_id', 'app_user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_sample')),
        sa.UniqueConstraint('round_id', 'case_id', name=op.f('uq_evaluation_sample_round_id_case_id')),
    )
    op.create_index(op.f('ix_evaluation_sample_round_id'), 'evaluation_sample', ['round_id'], unique=False)
    op.create_table(
        'evaluation_survey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('grid_id', sa.Integer(), nullable=False),
        sa.Column('answers', sa.Text(), nullable=False),
        sa.Column('score', sa.Double(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        _fk('evaluation_survey', 'round_id', 'evaluation_round'),
        _fk('evaluation_survey', 'grid_id', 'org_unit'),
        _fk('evaluation_survey', 'by_id', 'app_user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_survey')),
        sa.UniqueConstraint('round_id', 'grid_id', name=op.f('uq_evaluation_survey_round_id_grid_id')),
    )
    op.create_index(op.f('ix_evaluation_survey_round_id'), 'evaluation_survey', ['round_id'], unique=False)
    op.create_table(
        'evaluation_honour',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('root_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=128), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('unit_path', PATH, nullable=False),
        sa.Column('figures', sa.Text(), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('awarded_at', sa.DateTime(), nullable=False),
        _fk('evaluation_honour', 'root_id', 'org_unit'),
        _fk('evaluation_honour', 'instance_id', 'process_instance'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_honour')),
        sa.UniqueConstraint('root_id', 'period', 'kind', 'subject',
                            name=op.f('uq_evaluation_honour_root_id_period_kind_subject')),
    )
    op.create_table(
        'points_account',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('balance', sa.Integer(), nullable=False),
        sa.Column('earned', sa.Integer(), nullable=False),
        sa.Column('redeemed', sa.Integer(), nullable=False),
        sa.CheckConstraint('balance >= 0', name=op.f('ck_points_account_balance')),
        _fk('points_account', 'user_id', 'app_user'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_points_account')),
    )
    op.create_table(
        'points_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.Column('balance', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('rule', sa.String(length=64), nullable=True),
        sa.Column('item', sa.String(length=200), nullable=True),
        sa.Column('source', sa.String(length=64), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        _fk('points_entry', 'user_id', 'app_user'),
        _fk('points_entry', 'instance_id', 'process_instance'),
        _fk('points_entry', 'by_id', 'app_user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entry')),
        sa.UniqueConstraint('source', 'user_id', name=op.f('uq_points_entry_source_user_id')),
    )
    op.create_index('ix_points_entry_user', 'points_entry', ['user_id', 'id'], unique=False)
    op.create_table(
        'points_cursor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_fact_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_cursor')),
    )


def downgrade():
    for table in ('points_cursor', 'points_entry', 'points_account', 'evaluation_honour', 'evaluation_survey', 'evaluation_sample',
                  'evaluation_round', 'evaluation_setting'):
        op.drop_table(table)
