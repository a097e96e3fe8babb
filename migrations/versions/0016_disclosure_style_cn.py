"""proof after shipping, contract documents, discard evidence, styles' CN code and unit weight (issue 14)

Revision ID: 0016_disclosure_style_cn
Revises: 0016_overstock_reviews_sessions
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_disclosure_style_cn"
down_revision = "0016_overstock_reviews_sessions"
branch_labels = None
depends_on = None


def _stored_file_columns() -> list[sa.Column]:
    return [
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("styles") as batch:
        batch.add_column(sa.Column("cn_code", sa.String(10), nullable=True))
        batch.add_column(sa.Column("unit_weight_g", sa.Integer(), nullable=True))
    op.create_table(
        "contract_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("buyer_contracts.id"), nullable=False, index=True),
        *_stored_file_columns(),
    )
    op.create_table(
        "buyer_lot_proofs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lot_id", sa.Integer(), sa.ForeignKey("buyer_lots.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        *_stored_file_columns(),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_table(
        "buyer_lot_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lot_id", sa.Integer(), sa.ForeignKey("buyer_lots.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lot_id", "seq"),
    )
    op.create_table(
        "discard_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_stored_file_columns(),
        sa.Column("keep_until", sa.Date(), nullable=False),
    )
    _append_only("buyer_lot_events", "the buyer lot history is append-only")


def _append_only(table: str, message: str) -> None:
    """The lot's history is evidence like a garment's ledger: the database refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    else:
        op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{message}'; END $$")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS buyer_lot_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS buyer_lot_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS buyer_lot_events_append_only ON buyer_lot_events")
        op.execute("DROP FUNCTION IF EXISTS buyer_lot_events_append_only()")
    op.drop_table("discard_evidence")
    op.drop_table("buyer_lot_events")
    op.drop_table("buyer_lot_proofs")
    op.drop_table("contract_documents")
    with op.batch_alter_table("styles") as batch:
        batch.drop_column("unit_weight_g")
        batch.drop_column("cn_code")
