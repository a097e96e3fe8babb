"""workshops: planned workshops, their append-only log entries, product types, remanufacturing projects (issue 15)

Revision ID: 0016_workshops
Revises: 0016_disclosure_style_cn
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_workshops"
down_revision = "0016_disclosure_style_cn"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_product_types",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("typical_use_g", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("store_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("theme", sa.String(200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_workshops_store_id", "workshops", ["store_id"])
    op.create_index("ix_workshops_starts_at", "workshops", ["starts_at"])
    op.create_table(
        "workshop_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("lots", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workshop_id", "seq"),
    )
    op.create_index("ix_workshop_entries_recorded_at", "workshop_entries", ["recorded_at"])
    op.create_table(
        "remanufacturing_projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("partner_location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("lots_g", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "remanufactured_styles",
        sa.Column("style_id", sa.Integer(), sa.ForeignKey("styles.id"), primary_key=True),
    )
    op.create_table(
        "remanufactured_garments",
        sa.Column("garment_id", sa.Integer(), sa.ForeignKey("garments.id"), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("remanufacturing_projects.id"), nullable=False),
        sa.Column("made_from", sa.JSON(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_remanufactured_garments_project_id", "remanufactured_garments", ["project_id"])
    op.create_index("ix_remanufactured_garments_made_at", "remanufactured_garments", ["made_at"])
    _make_entries_append_only()


def _make_entries_append_only() -> None:
    """A workshop's log is corrected by a compensating entry, never edited: the database refuses."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER workshop_entries_no_{verb.lower()} BEFORE {verb} ON workshop_entries "
                "BEGIN SELECT RAISE(ABORT, 'workshop entries are append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION workshop_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'workshop entries are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER workshop_entries_append_only BEFORE UPDATE OR DELETE ON workshop_entries "
            "FOR EACH ROW EXECUTE FUNCTION workshop_entries_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS workshop_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS workshop_entries_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS workshop_entries_append_only ON workshop_entries")
        op.execute("DROP FUNCTION IF EXISTS workshop_entries_append_only()")
    op.drop_index("ix_remanufactured_garments_made_at", table_name="remanufactured_garments")
    op.drop_index("ix_remanufactured_garments_project_id", table_name="remanufactured_garments")
    op.drop_table("remanufactured_garments")
    op.drop_table("remanufactured_styles")
    op.drop_table("remanufacturing_projects")
    op.drop_index("ix_workshop_entries_recorded_at", table_name="workshop_entries")
    op.drop_table("workshop_entries")
    op.drop_index("ix_workshops_starts_at", table_name="workshops")
    op.drop_index("ix_workshops_store_id", table_name="workshops")
    op.drop_table("workshops")
    op.drop_table("workshop_product_types")
