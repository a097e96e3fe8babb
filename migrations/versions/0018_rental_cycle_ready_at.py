"""rental cycles keep when the garment was ready in the pool again: the turnaround without a lookup per return

Revision ID: 0018_rental_cycle_ready_at
Revises: 0017_events_by_state

The charter report's turnaround looked up, per return of the year, the first later event that put the
garment back in the rental pool. Without table statistics (an app database never runs ANALYZE) the
planners took the events-by-state index for that lookup and read every pool event per return: minutes at
a million garments. The projection now writes the moment on the cycle; this fills it for the past.
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_rental_cycle_ready_at"
down_revision = "0017_events_by_state"
branch_labels = None
depends_on = None

# The only condition in WHERE is the garment: whatever the statistics say, each cycle reads its own
# garment's handful of events by the (garment_id, seq) key; the state test sits inside the aggregate.
BACKFILL = """
UPDATE rental_cycles SET ready_at = (
    SELECT min(CASE WHEN e.to_state = 'in_rental_pool' AND e.occurred_at >= rental_cycles.returned_at
                    THEN e.occurred_at END)
    FROM garment_events e WHERE e.garment_id = rental_cycles.garment_id)
WHERE returned_at IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("rental_cycles") as batch_op:
        batch_op.add_column(sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL)
    op.drop_index("ix_rental_cycles_returned_at", table_name="rental_cycles")
    op.create_index("ix_rental_cycles_returned_ready", "rental_cycles", ["returned_at", "ready_at"])


def downgrade() -> None:
    op.drop_index("ix_rental_cycles_returned_ready", table_name="rental_cycles")
    op.create_index("ix_rental_cycles_returned_at", "rental_cycles", ["returned_at"])
    # a plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would trip the foreign keys on it
    op.execute("ALTER TABLE rental_cycles DROP COLUMN ready_at")
