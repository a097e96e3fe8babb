"""login throttle: failed sign-ins; audit indexes on the ledger (place, action, actor by time)

Revision ID: 0003_login_throttle
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_login_throttle'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_account', ['account_key', 'failed_at'], unique=False)
        batch_op.create_index('ix_login_failures_address', ['address', 'failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_failed_at'), ['failed_at'], unique=False)
    # plain CREATE INDEX (not batch mode): batch mode would copy the append-only ledger table
    op.create_index('ix_garment_events_location_occurred', 'garment_events',
                    ['location_id', 'occurred_at'], unique=False)
    op.create_index('ix_garment_events_action_occurred', 'garment_events',
                    ['action', 'occurred_at'], unique=False)
    op.create_index('ix_garment_events_actor_occurred', 'garment_events',
                    ['actor_id', 'occurred_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_garment_events_actor_occurred', table_name='garment_events')
    op.drop_index('ix_garment_events_action_occurred', table_name='garment_events')
    op.drop_index('ix_garment_events_location_occurred', table_name='garment_events')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_failed_at'))
        batch_op.drop_index('ix_login_failures_address')
        batch_op.drop_index('ix_login_failures_account')
    op.drop_table('login_failures')
