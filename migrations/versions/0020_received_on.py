"""a garment's receipt as a shop day: the overstock review sums stock ages in SQL

Revision ID: 0020_received_on
Revises: 0019_charter_projections

Every figure that reads a garment's receipt counts in days in Brussels: stock age, a collection's
garments received up to a year's end. Stored as a UTC moment (0019), each reader turned it into a
local day garment by garment, which kept the overstock review reading one row per garment on hand
(about 100,000 for one collection at a million garments). As a day the database groups a
collection's stock (style, size, place, state, price) and adds up receipt days itself.

``garments.received_on`` replaces ``received_at`` in the (style, size, stock) index and the
garment; it is filled from the moment it replaces (the garment's first event).
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

from cksloop.domain.clock import local_date

revision = "0020_received_on"
down_revision = "0019_charter_projections"
branch_labels = None
depends_on = None

COLUMNS = ["style_id", "size", "state", "location_id", "price_cents"]


def _local_day(stored: str | None) -> str | None:
    """SQLite's stored UTC moment ('YYYY-MM-DD HH:MM:SS[.ffffff]') as the day in Brussels, the day
    receive_garment writes."""
    return None if stored is None else local_date(dt.datetime.fromisoformat(stored)).isoformat()


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("garments", sa.Column("received_on", sa.Date(), nullable=True))
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE garments SET received_on = (received_at AT TIME ZONE 'Europe/Brussels')::date")
    else:  # SQLite has no time zones: the day is worked out by Python, row by row inside SQLite
        bind.connection.driver_connection.create_function("cksloop_local_day", 1, _local_day,
                                                          deterministic=True)
        op.execute("UPDATE garments SET received_on = cksloop_local_day(received_at)")
    op.drop_index("ix_garments_style_stock", table_name="garments")
    op.create_index("ix_garments_style_stock", "garments", [*COLUMNS, "received_on"])
    # plain DROP COLUMN (SQLite 3.35+): a batch copy of garments would trip the keys pointing at it
    op.execute("ALTER TABLE garments DROP COLUMN received_at")


RECEIVED = """
UPDATE garments SET received_at = (
    SELECT e.occurred_at FROM garment_events e WHERE e.garment_id = garments.id AND e.seq = 1)
"""


def downgrade() -> None:
    op.add_column("garments", sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(RECEIVED)
    op.drop_index("ix_garments_style_stock", table_name="garments")
    op.create_index("ix_garments_style_stock", "garments", [*COLUMNS, "received_at"])
    op.execute("ALTER TABLE garments DROP COLUMN received_on")
