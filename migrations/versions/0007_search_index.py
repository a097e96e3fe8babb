"""garment search: the state/location index also holds the style; drop a redundant events index

The garment list's usual filters (state, location, season via the style) are answered from
(state, location_id, style_id) without reading a garment row: at a million garments the
list's count and page queries went from ~12 ms each to ~1 ms on SQLite. The new index keeps
the old one's prefix, so the old one goes. ``ix_garment_events_actor_id`` is the prefix of
``ix_garment_events_actor_occurred``: one index less to keep up on every event written.

Revision ID: 0007_search_index
Revises: 0006_overdue_index
"""
from alembic import op

revision = "0007_search_index"
down_revision = "0006_overdue_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_garments_state_location_style", "garments", ["state", "location_id", "style_id"])
    op.drop_index("ix_garments_state_location", table_name="garments")
    op.drop_index("ix_garment_events_actor_id", table_name="garment_events")


def downgrade() -> None:
    op.create_index("ix_garment_events_actor_id", "garment_events", ["actor_id"])
    op.create_index("ix_garments_state_location", "garments", ["state", "location_id"])
    op.drop_index("ix_garments_state_location_style", table_name="garments")
