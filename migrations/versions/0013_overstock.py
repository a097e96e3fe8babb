"""overstock: style plans, the daily per-style sales rollup, versioned rules and markdown policies

Revision ID: 0013_overstock
Revises: 0012_user_language
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_overstock"
down_revision = "0012_user_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "style_plans",
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("planned_units", sa.Integer(), nullable=False),
        sa.Column("short_term_pct", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_table(
        "overstock_daily_sales",
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("size", sa.String(length=12), primary_key=True),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), primary_key=True),
        sa.Column("channel", sa.String(length=16), primary_key=True),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    for table, column in (("overstock_rules", "rules"), ("markdown_policies", "policy")):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("season", sa.String(length=8), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column(column, sa.JSON(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
            sa.UniqueConstraint("season", "version"),
        )
    # sales already in the ledger: the rollup starts equal to a rebuild
    from cksloop.services.overstock_rollups import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    for table in ("markdown_policies", "overstock_rules", "overstock_daily_sales", "style_plans"):
        op.drop_table(table)
