"""item-entry admission (工作事项准入)

- ``admission_item`` and ``admission_item_version``: the admitted items of each county, with every
  version (admitted, changed, imported, withdrawn, expired) and the decision behind it;
- ``admission_list_entry``: each target unit's list of admitted items as numbered versions;
- ``admission_application``: applications in the ``item_admission`` process and their status;
- ``admission_setting``: a county's enforcement levels and exempt processes (defaults apply
  without a row);
- the role 联席会议 ``joint_meeting`` (the county's joint meeting, which decides admissions; it
  oversees, as supervisors do).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_ROLE = sa.table("role", sa.column("code", sa.String), sa.column("name_zh", sa.String),
                 sa.column("name_en", sa.String), sa.column("scope_level", sa.String),
                 sa.column("scope_data_key", sa.String), sa.column("leader_role", sa.String),
                 sa.column("builtin", sa.Boolean), sa.column("capabilities", sa.String))
ROLES = ({"code": "joint_meeting", "name_zh": "联席会议", "name_en": "Joint meeting", "scope_level": "county",
          "scope_data_key": None, "leader_role": "county_supervisor", "builtin": True,
          "capabilities": "oversee"},)


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _items():
    op.create_table(
        'admission_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('list', sa.String(length=16), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('units', sa.Text(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('withdrawn_from', sa.Date(), nullable=True),
        sa.Column('withdrawal_reason', sa.Text(), nullable=True),
        sa.Column('expired_at', sa.DateTime(), nullable=True),
        sa.Column('resources', sa.Text(), nullable=True),
        sa.Column('workload', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('row_version', sa.Integer(), nullable=False),
        _fk('admission_item', 'county_id', 'org_unit'),
        _fk('admission_item', 'department_id', 'org_unit'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_item')),
        sa.UniqueConstraint('county_id', 'code', name=op.f('uq_admission_item_county_id_code')),
    )
    with op.batch_alter_table('admission_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admission_item_department_id'), ['department_id'], unique=False)
    op.create_table(
        'admission_item_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('snapshot', sa.Text(), nullable=False),
        sa.Column('decision', sa.Text(), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=True),
        _fk('admission_item_version', 'item_id', 'admission_item'),
        _fk('admission_item_version', 'instance_id', 'process_instance'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_item_version')),
        sa.UniqueConstraint('item_id', 'version', name=op.f('uq_admission_item_version_item_id_version')),
    )
    with op.batch_alter_table('admission_item_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admission_item_version_item_id'), ['item_id'], unique=False)


def _lists():
    op.create_table(
        'admission_list_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('change', sa.String(length=20), nullable=False),
        sa.Column('effective', sa.Date(), nullable=False),
        sa.Column('levels', sa.Text(), nullable=True),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        _fk('admission_list_entry', 'unit_id', 'org_unit'),
        _fk('admission_list_entry', 'item_id', 'admission_item'),
        _fk('admission_list_entry', 'instance_id', 'process_instance'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_list_entry')),
        sa.UniqueConstraint('unit_id', 'version', name=op.f('uq_admission_list_entry_unit_id_version')),
    )
    with op.batch_alter_table('admission_list_entry', schema=None) as batch_op:
        batch_op.create_index('ix_admission_list_entry_item', ['item_id'], unique=False)


def _applications():
    op.create_table(
        'admission_application',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('item_code', sa.String(length=64), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('units', sa.Text(), nullable=True),
        sa.Column('valid_from', sa.String(length=10), nullable=True),
        sa.Column('filed_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        _fk('admission_application', 'instance_id', 'process_instance'),
        _fk('admission_application', 'county_id', 'org_unit'),
        _fk('admission_application', 'department_id', 'org_unit'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_application')),
        sa.UniqueConstraint('instance_id', name=op.f('uq_admission_application_instance_id')),
    )
    with op.batch_alter_table('admission_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admission_application_department_id'), ['department_id'],
                              unique=False)
    op.create_table(
        'admission_setting',
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('levels', sa.Text(), nullable=False),
        sa.Column('exempt', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=True),
        _fk('admission_setting', 'county_id', 'org_unit'),
        sa.PrimaryKeyConstraint('county_id', name=op.f('pk_admission_setting')),
    )


def upgrade():
    _items()
    _lists()
    _applications()
    existing = {row[0] for row in op.get_bind().execute(sa.select(_ROLE.c.code))}
    rows = [role for role in ROLES if role["code"] not in existing]
    if rows:
        op.bulk_insert(_ROLE, rows)


def downgrade():
    for table in ('admission_setting', 'admission_application', 'admission_list_entry', 'admission_item_version',
                  'admission_item'):
        op.drop_table(table)
    for role in ROLES:
        op.execute(sa.text("DELETE FROM role WHERE code = :code AND NOT EXISTS "
                           "(SELECT 1 FROM role_assignment WHERE role_code = :code)").bindparams(code=role["code"]))
