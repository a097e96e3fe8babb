"""garments received per style and month, kept with each receipt: a collection's receipts up to a year's end

Revision ID: 0024_style_monthly_receipts
Revises: 0023_garment_exits

The charter report's sell-through divides a collection's net sales by its garments received up to the
year's end. The receipts kept per style and size (0022) answer that only for styles whose last
receipt came before the year's end; for the others the report counted the garments, about 160,000
index entries per collection at a million garments, five collections a year, two years a report.
One row per style and month now keeps the count, written with each receipt event; a year's end is a
month boundary, so the count is a sum of rows. This fills them from the garments' receipt days.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_style_monthly_receipts"
down_revision = "0023_garment_exits"
branch_labels = None
depends_on = None

_FILL = """
INSERT INTO style_monthly_receipts (style_id, month, units)
SELECT style_id, {month}, count(*) FROM garments WHERE received_on IS NOT NULL GROUP BY style_id, {month}
"""
_MONTH = {"postgresql": "CAST(date_trunc('month', received_on) AS DATE)",
          "sqlite": "date(received_on, 'start of month')"}


def upgrade() -> None:
    op.create_table(
        "style_monthly_receipts",
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id"), primary_key=True),
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute(_FILL.format(month=_MONTH[op.get_bind().dialect.name]))


def downgrade() -> None:
    op.drop_table("style_monthly_receipts")
