"""chain-wide settings an admin changes (the store discount limit)

Revision ID: 0010_settings
Revises: 0009_user_stores
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_settings"
down_revision = "0009_user_stores"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), primary_key=True),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("settings")
