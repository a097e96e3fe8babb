"""garment events by the state they reached and when: the year's figures without a scan of the year

Revision ID: 0017_events_by_state
Revises: 0016_charter_material_targets
"""
from alembic import op

revision = "0017_events_by_state"
down_revision = "0016_charter_material_targets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_garment_events_to_state_occurred", "garment_events", ["to_state", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_garment_events_to_state_occurred", table_name="garment_events")
