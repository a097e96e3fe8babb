"""the sales rollup added up per style, month and channel: reviews and the charter read months, not days

Revision ID: 0021_overstock_monthly_sales
Revises: 0020_received_on

A collection's overstock review adds up every sale of its styles before the cover window, and the
charter report a year's sales per channel and a collection's sales up to a year's end: at a million
garments that read about 116,000 daily rows (day × size × place) per collection. The monthly rows
(style, month, channel) are written with the daily ones from now on; this fills them from the
daily rollup, which is the ledger's projection.
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_overstock_monthly_sales"
down_revision = "0020_received_on"
branch_labels = None
depends_on = None

FILL = """
INSERT INTO overstock_monthly_sales (style_id, month, channel, sold, returned, garments_sold, garments_sold_cents)
SELECT style_id, {month}, channel, sum(sold), sum(returned), sum(garments_sold), sum(garments_sold_cents)
FROM overstock_daily_sales GROUP BY style_id, {month}, channel
"""


def upgrade() -> None:
    op.create_table(
        "overstock_monthly_sales",
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id"), primary_key=True),
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("garments_sold", sa.Integer(), nullable=False),
        sa.Column("garments_sold_cents", sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False,
    )
    month = ("CAST(date_trunc('month', day) AS DATE)" if op.get_bind().dialect.name == "postgresql"
             else "date(day, 'start of month')")
    op.execute(FILL.format(month=month))


def downgrade() -> None:
    op.drop_table("overstock_monthly_sales")
