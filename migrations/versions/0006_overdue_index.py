"""overdue rentals: a partial index on the due date of open rental cycles

Revision ID: 0006_overdue_index
Revises: 0005_rental_rollups
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_overdue_index"
down_revision = "0005_rental_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_rental_cycles_open_due", "rental_cycles", ["due_on"],
                    sqlite_where=sa.text("returned_at IS NULL"),
                    postgresql_where=sa.text("returned_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_rental_cycles_open_due", table_name="rental_cycles")
