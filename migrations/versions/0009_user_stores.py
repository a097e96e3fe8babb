"""the stores a user works at besides their home location

Store staff and workshop organisers may act only on garments at their own stores; an admin can
give a user more than one (a clerk who covers two shops).

Revision ID: 0009_user_stores
Revises: 0008_first_rental_in_period
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_user_stores"
down_revision = "0008_first_rental_in_period"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_stores",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("user_stores")
