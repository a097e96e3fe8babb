"""garments received per style and size, kept with each receipt: a collection's receipts without a scan

Revision ID: 0022_style_size_receipts
Revises: 0021_overstock_monthly_sales

The overstock review counts a collection's garments received up to its date, and the charter report
a collection's up to a year's end: at a million garments that read 200,000 index entries for one
collection. One row per style and size now keeps the count and the first and last receipt day,
written with each receipt event; a reader takes the row whenever its date is on or after the last
receipt, and counts the garments of the styles where it is not. This fills the rows from the
garments' receipt days.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_style_size_receipts"
down_revision = "0021_overstock_monthly_sales"
branch_labels = None
depends_on = None

FILL = """
INSERT INTO style_size_receipts (style_id, size, units, first_on, last_on)
SELECT style_id, size, count(*), min(received_on), max(received_on)
FROM garments WHERE received_on IS NOT NULL GROUP BY style_id, size
"""


def upgrade() -> None:
    op.create_table(
        "style_size_receipts",
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id"), primary_key=True),
        sa.Column("size", sa.String(12), primary_key=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("style_size_receipts")
