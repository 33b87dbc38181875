"""engine core: compacted history, messages, timer leases

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:00:00

"""
import json
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _timers_onto_cases():
    """Waiting timers move from their own table onto the case row (JSON, earliest first)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT instance_id, engine_task_id, bpmn_id, name, kind, attached_to, interrupting, due_at "
        "FROM pending_timer ORDER BY instance_id, due_at")).mappings().all()
    by_case = {}
    for row in rows:
        due = row["due_at"]
        if isinstance(due, str):
            due = datetime.fromisoformat(due)
        by_case.setdefault(row["instance_id"], []).append({
            "engine_task_id": row["engine_task_id"], "bpmn_id": row["bpmn_id"], "name": row["name"],
            "kind": row["kind"], "attached_to": row["attached_to"],
            "interrupting": None if row["interrupting"] is None else bool(row["interrupting"]),
            "due_at": due.replace(tzinfo=timezone.utc).isoformat() if due else None})
    for instance_id, items in by_case.items():
        conn.execute(sa.text("UPDATE process_instance SET pending_timers = :t WHERE id = :i"),
                     {"t": json.dumps(items, ensure_ascii=False), "i": instance_id})


CAPABILITIES = {  # the built-in roles' capabilities (org/roles.py BUILTIN_CAPABILITIES)
    "admin": "administer,design,supervise,urge,oversee",
    "county_supervisor": "supervise,urge,oversee,approve_fallback",
    "town_leader": "oversee", "town_dispatcher": "urge,oversee", "community_head": "oversee",
    "department_head": "oversee", "grid_leader": "oversee", "process_designer": "design",
    "evaluator": "evaluate", "resident": "public",
}


def upgrade():
    with op.batch_alter_table('role', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capabilities', sa.String(length=500), nullable=True))
    for code, capabilities in CAPABILITIES.items():
        op.execute(sa.text("UPDATE role SET capabilities = :c WHERE code = :r AND capabilities IS NULL")
                   .bindparams(c=capabilities, r=code))
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timer_lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('waiting', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('pending_timers', sa.Text(), nullable=True))
    _timers_onto_cases()
    with op.batch_alter_table('pending_timer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_timer_due_at'))
        batch_op.drop_index(batch_op.f('ix_pending_timer_instance_id'))
    op.drop_table('pending_timer')
    op.create_table('event_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('bpmn_id', sa.String(length=128), nullable=False),
    sa.Column('correlation_key', sa.String(length=500), nullable=False),
    sa.Column('correlation', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_event_subscription_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_subscription'))
    )
    with op.batch_alter_table('event_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_subscription_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_event_subscription_lookup', ['kind', 'name', 'correlation_key'], unique=False)
    op.create_table('inbound_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_inbound_event_actor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_event')),
    sa.UniqueConstraint('message_id', name=op.f('uq_inbound_event_message_id'))
    )


def downgrade():
    op.drop_table('inbound_event')
    with op.batch_alter_table('event_subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_event_subscription_lookup')
        batch_op.drop_index(batch_op.f('ix_event_subscription_instance_id'))
    op.drop_table('event_subscription')
    op.create_table('pending_timer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('engine_task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('attached_to', sa.String(length=128), nullable=True),
    sa.Column('interrupting', sa.Boolean(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_pending_timer_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_timer'))
    )
    with op.batch_alter_table('pending_timer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_timer_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_timer_instance_id'), ['instance_id'], unique=False)
    with op.batch_alter_table('role', schema=None) as batch_op:
        batch_op.drop_column('capabilities')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('pending_timers')
        batch_op.drop_column('waiting')
        batch_op.drop_column('timer_lease_until')
