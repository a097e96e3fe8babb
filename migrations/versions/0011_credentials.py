"""credentials: token expiry and read-only scope, and the append-only account events

Revision ID: 0011_credentials
Revises: 0010_settings
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_credentials"
down_revision = "0010_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("read_only", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("subject_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_tokens.id"), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_account_events_at", "account_events", ["at"])
    op.create_index("ix_account_events_subject", "account_events", ["subject_id", "at"])
    _make_account_events_append_only()


def _make_account_events_append_only() -> None:
    """Who changed which credential is evidence too: the database refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER account_events_no_{verb.lower()} BEFORE {verb} ON account_events "
                "BEGIN SELECT RAISE(ABORT, 'account events are append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION account_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'account events are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER account_events_append_only BEFORE UPDATE OR DELETE ON account_events "
            "FOR EACH ROW EXECUTE FUNCTION account_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS account_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS account_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS account_events_append_only ON account_events")
        op.execute("DROP FUNCTION IF EXISTS account_events_append_only()")
    op.drop_index("ix_account_events_subject", table_name="account_events")
    op.drop_index("ix_account_events_at", table_name="account_events")
    op.drop_table("account_events")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("read_only")
        batch.drop_column("expires_at")
