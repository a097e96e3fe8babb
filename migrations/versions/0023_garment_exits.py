"""garments leaving the loop unsold, one row per retirement or write-off: the year's counts from an index

Revision ID: 0023_garment_exits
Revises: 0022_style_size_receipts

The charter report's unsold section counts a year's retirements per route and legal ground, and the
workshop figures the garments retired into offcuts: both read the route from each event's JSON
details, one table read per event (about 10,000 a year at a million garments, twice per report).
``garment_exits`` keeps the route and ground beside the event's id, written with the event from now
on (services.garment_exits); this fills it from the ledger.
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_garment_exits"
down_revision = "0022_style_size_receipts"
branch_labels = None
depends_on = None

_FILL = """
INSERT INTO garment_exits (event_id, garment_id, action, to_state, occurred_at, location_id, route, ground)
SELECT id, garment_id, action, to_state, occurred_at, location_id,
       coalesce(nullif({route}, ''), nullif({retire_route}, '')), {ground}
FROM garment_events WHERE to_state = 'retired' OR action = 'write_off'
"""
_JSON = {"postgresql": "details ->> '{key}'", "sqlite": "json_extract(details, '$.{key}')"}


def upgrade() -> None:
    op.create_table(
        "garment_exits",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("garment_events.id"), primary_key=True, autoincrement=False),
        sa.Column("garment_id", sa.Integer(), sa.ForeignKey("garments.id"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=True),
        sa.Column("route", sa.String(24), nullable=True),
        sa.Column("ground", sa.String(40), nullable=True),
    )
    op.create_index("ix_garment_exits_counted", "garment_exits",
                    ["occurred_at", "to_state", "action", "route", "ground"])
    json = _JSON[op.get_bind().dialect.name]
    op.execute(_FILL.format(route=json.format(key="route"), retire_route=json.format(key="retire_route"),
                            ground=json.format(key="ground")))


def downgrade() -> None:
    op.drop_index("ix_garment_exits_counted", table_name="garment_exits")
    op.drop_table("garment_exits")
