"""the language a user chose, kept across sign-ins and devices

Stores are in Flanders, Brussels and Wallonia: a clerk who picks French (or Dutch, or English)
once gets it on every device they sign in to; empty means "follow the browser".

Revision ID: 0012_user_language
Revises: 0011_credentials
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_user_language"
down_revision = "0011_credentials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
