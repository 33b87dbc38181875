"""event catalogue, case index, department duties

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:46:24.009730

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalogue_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locality', sa.String(length=64), nullable=False),
    sa.Column('condition_code', sa.String(length=32), nullable=False),
    sa.Column('time_limit', sa.Double(), nullable=False),
    sa.Column('time_unit', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_override')),
    sa.UniqueConstraint('locality', 'condition_code', name=op.f('uq_catalogue_override_locality_condition_code'))
    )
    with op.batch_alter_table('catalogue_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_override_locality'), ['locality'], unique=False)

    op.create_table('catalogue_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_version')),
    sa.UniqueConstraint('version', name=op.f('uq_catalogue_version_version'))
    )
    op.create_table('catalogue_condition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('category_code', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('subcategory_code', sa.String(length=16), nullable=False),
    sa.Column('subcategory', sa.String(length=100), nullable=False),
    sa.Column('condition', sa.String(length=300), nullable=False),
    sa.Column('time_limit', sa.Double(), nullable=False),
    sa.Column('time_unit', sa.String(length=20), nullable=False),
    sa.Column('closing_condition', sa.String(length=300), nullable=False),
    sa.Column('department_type', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['catalogue_version.id'], name=op.f('fk_catalogue_condition_version_id_catalogue_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_condition')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_catalogue_condition_version_id_code'))
    )
    with op.batch_alter_table('catalogue_condition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_condition_version_id'), ['version_id'], unique=False)

    op.create_table('event_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('condition_code', sa.String(length=32), nullable=False),
    sa.Column('subcategory_code', sa.String(length=16), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lng', sa.Double(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_event_case_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_event_case_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_case')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_event_case_instance_id'))
    )
    with op.batch_alter_table('event_case', schema=None) as batch_op:
        batch_op.create_index('ix_event_case_lookup', ['subcategory_code', 'reported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_case_org_unit_id'), ['org_unit_id'], unique=False)

    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duty', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_org_unit_duty'), ['duty'], unique=False)



def downgrade():
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_duty'))
        batch_op.drop_column('duty')

    with op.batch_alter_table('event_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_case_org_unit_id'))
        batch_op.drop_index('ix_event_case_lookup')

    op.drop_table('event_case')
    with op.batch_alter_table('catalogue_condition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_condition_version_id'))

    op.drop_table('catalogue_condition')
    op.drop_table('catalogue_version')
    with op.batch_alter_table('catalogue_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_override_locality'))

    op.drop_table('catalogue_override')
