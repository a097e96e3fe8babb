"""returns ready again per style, partner and month, with the seconds it took: a year's turnaround from rows

Revision ID: 0025_rental_turnarounds
Revises: 0024_style_monthly_receipts

The charter report's turnaround averaged, over every return of the year, the days until the garment
was ready in the pool again (0018 keeps that moment on the cycle): about 400,000 returns a year at a
million garments, read and subtracted twice per report. The rental projection now adds each return
that is ready again to the row of its return's month, with the seconds it took; this fills the rows
from the cycles.
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_rental_turnarounds"
down_revision = "0024_style_monthly_receipts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rental_turnarounds",
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id"), primary_key=True),
        sa.Column("partner_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("ready_n", sa.Integer(), nullable=False),
        sa.Column("ready_s", sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False,
    )
    from cksloop.services.rental_rollups import rebuild_turnarounds  # reads the cycles as 0018 left them

    rebuild_turnarounds(op.get_bind())


def downgrade() -> None:
    op.drop_table("rental_turnarounds")
