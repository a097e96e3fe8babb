"""offcut lots: lots of offcuts with their mass balance, and their append-only ledger (issue 15)

Revision ID: 0015_offcut_lots
Revises: 0014_buyers
"""
from alembic import op
import sqlalchemy as sa

revision = "0015_offcut_lots"
down_revision = "0014_buyers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offcut_lots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=True),
        sa.Column("material", sa.String(80), nullable=False),
        sa.Column("composition", sa.JSON(), nullable=False),
        sa.Column("colour", sa.String(80), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=True),
        sa.Column("weight_in_g", sa.Integer(), nullable=False),
        sa.Column("split_out_g", sa.Integer(), nullable=False),
        sa.Column("consumed_g", sa.Integer(), nullable=False),
        sa.Column("waste_g", sa.Integer(), nullable=False),
        sa.Column("remaining_g", sa.Integer(), nullable=False),
        sa.Column("consumed_by", sa.JSON(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_offcut_lots_location_material", "offcut_lots", ["location_id", "material"])
    op.create_table(
        "offcut_lot_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("lot_id", sa.Integer(), sa.ForeignKey("offcut_lots.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("grams", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lot_id", "seq"),
    )
    op.create_index("ix_offcut_lot_events_occurred_at", "offcut_lot_events", ["occurred_at"])
    _make_lot_ledger_append_only()


def _make_lot_ledger_append_only() -> None:
    """A lot's ledger is evidence like a garment's: the database refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER offcut_lot_events_no_{verb.lower()} BEFORE {verb} ON offcut_lot_events "
                "BEGIN SELECT RAISE(ABORT, 'the offcut lot ledger is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION offcut_lot_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the offcut lot ledger is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER offcut_lot_events_append_only BEFORE UPDATE OR DELETE ON offcut_lot_events "
            "FOR EACH ROW EXECUTE FUNCTION offcut_lot_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS offcut_lot_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS offcut_lot_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS offcut_lot_events_append_only ON offcut_lot_events")
        op.execute("DROP FUNCTION IF EXISTS offcut_lot_events_append_only()")
    op.drop_index("ix_offcut_lot_events_occurred_at", table_name="offcut_lot_events")
    op.drop_table("offcut_lot_events")
    op.drop_index("ix_offcut_lots_location_material", table_name="offcut_lots")
    op.drop_table("offcut_lots")
