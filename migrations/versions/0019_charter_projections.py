"""what the charter report counts, kept with the events: first receipt, inspected returns, sold garments' value

Revision ID: 0019_charter_projections
Revises: 0018_rental_cycle_ready_at

At a million garments the yearly charter report counted its figures row by row: a collection's
garments received by joining each garment's first event, inspected returns with a lookup per
return, own-channel sales and their value by reading every sale event. Each moment is now written
with its event (receive_garment, the rental projection, the sales rollup) and this fills the past
from the ledger:
- ``garments.received_at``: the moment of the garment's first event, in an index by style and size
  that also holds state, place and price (the overstock review reads a collection's receipts and
  stock from it; it replaces the (style, size) index);
- ``rental_cycles.inspected_at``: when the return was first graded, read from the same index as
  the return moment and the turnaround;
- ``rental_pool_stays.previous_ended_at``: when the garment's stay before ended, so each garment in
  the pool in a year is one stay (its first overlapping the year), counted from an index;
- ``overstock_daily_sales.garments_sold`` / ``garments_sold_cents``: the sale and shipment events
  among the rollup's units (the rest are unlabelled till lines) and their sale prices.
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_charter_projections"
down_revision = "0018_rental_cycle_ready_at"
branch_labels = None
depends_on = None

# Each garment reads its own first event by the (garment_id, seq) key; each cycle its own inspections.
RECEIVED = """
UPDATE garments SET received_at = (
    SELECT e.occurred_at FROM garment_events e WHERE e.garment_id = garments.id AND e.seq = 1)
"""
PREVIOUS_STAY = """
UPDATE rental_pool_stays SET previous_ended_at = (
    SELECT max(p.ended_at) FROM rental_pool_stays p
    WHERE p.garment_id = rental_pool_stays.garment_id AND p.started_at < rental_pool_stays.started_at)
"""
INSPECTED = """
UPDATE rental_cycles SET inspected_at = (
    SELECT min(i.inspected_at) FROM inspections i WHERE i.rental_cycle_id = rental_cycles.id)
WHERE returned_at IS NOT NULL
"""


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy of these tables would trip the foreign keys pointing at them
    op.add_column("garments", sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(RECEIVED)
    # (style, size) grows into the index the collection's figures read whole: receipts, stock on hand
    op.drop_index("ix_garments_style_size", table_name="garments")
    op.create_index("ix_garments_style_stock", "garments",
                    ["style_id", "size", "state", "location_id", "price_cents", "received_at"])

    op.add_column("rental_cycles", sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(INSPECTED)
    op.drop_index("ix_rental_cycles_returned_ready", table_name="rental_cycles")
    op.create_index("ix_rental_cycles_returned", "rental_cycles", ["returned_at", "ready_at", "inspected_at"])

    op.add_column("rental_pool_stays", sa.Column("previous_ended_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(PREVIOUS_STAY)
    op.create_index("ix_rental_pool_stays_overlap", "rental_pool_stays",
                    ["started_at", "ended_at", "previous_ended_at"])

    op.add_column("overstock_daily_sales",
                  sa.Column("garments_sold", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("overstock_daily_sales",
                  sa.Column("garments_sold_cents", sa.BigInteger(), nullable=False, server_default="0"))
    # the rollup starts equal to a rebuild from the events, the new counts included
    from cksloop.services.overstock_rollups import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+), for the same reason as the ADD above
    op.execute("ALTER TABLE overstock_daily_sales DROP COLUMN garments_sold_cents")
    op.execute("ALTER TABLE overstock_daily_sales DROP COLUMN garments_sold")
    op.drop_index("ix_rental_pool_stays_overlap", table_name="rental_pool_stays")
    op.execute("ALTER TABLE rental_pool_stays DROP COLUMN previous_ended_at")
    op.drop_index("ix_rental_cycles_returned", table_name="rental_cycles")
    op.create_index("ix_rental_cycles_returned_ready", "rental_cycles", ["returned_at", "ready_at"])
    op.execute("ALTER TABLE rental_cycles DROP COLUMN inspected_at")
    op.drop_index("ix_garments_style_stock", table_name="garments")
    op.create_index("ix_garments_style_size", "garments", ["style_id", "size"])
    op.execute("ALTER TABLE garments DROP COLUMN received_at")
