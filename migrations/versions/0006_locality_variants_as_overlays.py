"""locality variants as overlays

A variant version records the parent version it overlays (``process_version.base_id``) and which
of its files it took unchanged from it (``process_file.inherited``).

Existing variants were full copies. The upgrade infers what each one overlays: the newest
version of its parent series (the nearest ancestor locality with versions of the process, else
the platform-wide default) deployed no later than the variant; files byte-identical to that
version's are marked inherited. A variant that shares no file with its parent stays a full copy
(no base) and works as before; its designer can rebase it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_VERSION = sa.table("process_version", sa.column("id", sa.Integer), sa.column("key", sa.String),
                    sa.column("locality", sa.String), sa.column("version", sa.Integer),
                    sa.column("deployed_at", sa.DateTime), sa.column("base_id", sa.Integer))
_FILE = sa.table("process_file", sa.column("id", sa.Integer), sa.column("version_id", sa.Integer),
                 sa.column("name", sa.String), sa.column("sha256", sa.String), sa.column("inherited", sa.Boolean))
_UNIT = sa.table("org_unit", sa.column("code", sa.String), sa.column("id", sa.Integer),
                 sa.column("parent_id", sa.Integer))


def upgrade():
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('process_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inherited', sa.Boolean(), nullable=False, server_default=sa.false()))
    _infer_bases(op.get_bind())


def _chains(bind) -> dict[str, list[str]]:
    """Each unit code's ancestors' codes, nearest first."""
    units = bind.execute(sa.select(_UNIT.c.id, _UNIT.c.code, _UNIT.c.parent_id)).all()
    by_id = {u.id: u for u in units}
    chains = {}
    for unit in units:
        chain, parent = [], by_id.get(unit.parent_id)
        while parent is not None and len(chain) < 64:
            chain.append(parent.code)
            parent = by_id.get(parent.parent_id)
        chains[unit.code] = chain
    return chains


def _infer_bases(bind) -> None:
    rows = bind.execute(sa.select(_VERSION.c.id, _VERSION.c.key, _VERSION.c.locality, _VERSION.c.version,
                                  _VERSION.c.deployed_at)).all()
    series: dict[tuple, list] = {}
    for row in rows:
        series.setdefault((row.key, row.locality), []).append(row)
    chains = _chains(bind)
    for row in rows:
        if not row.locality:
            continue
        base = _base(row, series, chains.get(row.locality, []) + [""])
        if base is not None:
            _mark(bind, row, base)


def _base(row, series, chain):
    for locality in chain:
        earlier = [r for r in series.get((row.key, locality), []) if r.deployed_at <= row.deployed_at]
        if earlier:
            return max(earlier, key=lambda r: r.version)
    return None


def _files(bind, version_id: int) -> list:
    return bind.execute(sa.select(_FILE.c.id, _FILE.c.name, _FILE.c.sha256)
                        .where(_FILE.c.version_id == version_id)).all()


def _mark(bind, row, base) -> None:
    parent = {f.name: f.sha256 for f in _files(bind, base.id)}
    same = [f.id for f in _files(bind, row.id) if parent.get(f.name) == f.sha256]
    if not same:
        return  # shares nothing with its parent: it stays a full copy
    bind.execute(_VERSION.update().where(_VERSION.c.id == row.id).values(base_id=base.id))
    bind.execute(_FILE.update().where(_FILE.c.id.in_(same)).values(inherited=True))


def downgrade():
    with op.batch_alter_table('process_file', schema=None) as batch_op:
        batch_op.drop_column('inherited')
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.drop_column('base_id')
