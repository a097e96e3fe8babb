"""buyers: bulk buyers, versioned contracts, buyer lots and their garments (issue 14)

Revision ID: 0014_buyers
Revises: 0013_overstock
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_buyers"
down_revision = "0013_overstock"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buyers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("vat_number", sa.String(24), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("contact_email", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "buyer_contracts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("buyer_id", sa.Integer(), sa.ForeignKey("buyers.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("restrictions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("buyer_id", "version"),
    )
    op.create_table(
        "buyer_lots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("buyer_id", sa.Integer(), sa.ForeignKey("buyers.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("destination_country", sa.String(2), nullable=False),
        sa.Column("end_use", sa.String(32), nullable=False),
        sa.Column("planned_ship_on", sa.Date(), nullable=False),
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("buyer_contracts.id"), nullable=False),
        sa.Column("contract_version", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.JSON(), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=True),
        sa.Column("carrier", sa.String(120), nullable=True),
        sa.Column("transport_document", sa.String(120), nullable=True),
        sa.Column("gross_weight_g", sa.Integer(), nullable=True),
        sa.Column("proof_accepted", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_index("ix_buyer_lots_buyer_id", "buyer_lots", ["buyer_id"])
    op.create_index("ix_buyer_lots_status", "buyer_lots", ["status"])
    op.create_table(
        "buyer_lot_garments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lot_id", sa.Integer(), sa.ForeignKey("buyer_lots.id"), nullable=False),
        sa.Column("garment_id", sa.Integer(), sa.ForeignKey("garments.id"), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("lot_id", "garment_id"),
    )
    op.create_index("ix_buyer_lot_garments_lot_id", "buyer_lot_garments", ["lot_id"])
    op.create_index("ux_buyer_lot_garments_open", "buyer_lot_garments", ["garment_id"], unique=True,
                    sqlite_where=sa.text("is_open"), postgresql_where=sa.text("is_open"))


def downgrade() -> None:
    op.drop_table("buyer_lot_garments")
    op.drop_table("buyer_lots")
    op.drop_table("buyer_contracts")
    op.drop_table("buyers")
