"""charter material targets: the share of each flagged material a season aims for (issue 16)

Revision ID: 0016_charter_material_targets
Revises: 0016_workshops
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_charter_material_targets"
down_revision = "0016_workshops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charter_material_targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("season", sa.String(8), nullable=False),
        sa.Column("material", sa.String(32), nullable=False),
        sa.Column("target_pct", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("season", "material"),
    )


def downgrade() -> None:
    op.drop_table("charter_material_targets")
