"""overstock review sessions, their decisions, and the POS sales lines (issue 13)

Revision ID: 0016_overstock_reviews_sessions
Revises: 0015_offcut_lots
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_overstock_reviews_sessions"
down_revision = "0015_offcut_lots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "overstock_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("season", sa.String(8), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_index("ix_overstock_reviews_season_as_of", "overstock_reviews", ["season", "as_of"])
    op.create_table(
        "overstock_review_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("overstock_reviews.id"), nullable=False),
        sa.Column("style", sa.String(40), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("garments", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
    )
    op.create_index("ix_overstock_review_decisions_review_id", "overstock_review_decisions", ["review_id"])
    op.create_table(
        "pos_sales",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("receipt_id", sa.String(60), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id"), nullable=False),
        sa.Column("size", sa.String(12), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_paid_cents", sa.Integer(), nullable=False),
        sa.Column("garment_id", sa.Integer(), sa.ForeignKey("garments.id"), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("receipt_id", "line"),
    )
    op.create_index("ix_pos_sales_style_id", "pos_sales", ["style_id"])


def downgrade() -> None:
    for table in ("pos_sales", "overstock_review_decisions", "overstock_reviews"):
        op.drop_table(table)
