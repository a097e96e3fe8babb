"""rental rollups: additive analytics per style, partner and day/month; open counts; covering index

Revision ID: 0005_rental_rollups
Revises: 0004_rental_quality
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_rental_rollups'
down_revision = '0004_rental_quality'
branch_labels = None
depends_on = None



def upgrade() -> None:
    # without rowid on SQLite: rows are stored in key order, so a period is read in one sweep
    op.create_table('rental_rollups',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('bucket_on', sa.Date(), nullable=False),
    sa.Column('style_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cycles_started', sa.Integer(), nullable=False),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('quality_returns', sa.Integer(), nullable=False),
    sa.Column('rent_start_n', sa.Integer(), nullable=False),
    sa.Column('rent_start_s', sa.BigInteger(), nullable=False),
    sa.Column('rent_end_n', sa.Integer(), nullable=False),
    sa.Column('rent_end_s', sa.BigInteger(), nullable=False),
    sa.Column('pool_start_n', sa.Integer(), nullable=False),
    sa.Column('pool_start_s', sa.BigInteger(), nullable=False),
    sa.Column('pool_end_n', sa.Integer(), nullable=False),
    sa.Column('pool_end_s', sa.BigInteger(), nullable=False),
    sa.Column('repairs', sa.Integer(), nullable=False),
    sa.Column('cleanings', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['style_id'], ['styles.id'], ),
    sa.PrimaryKeyConstraint('grain', 'bucket_on', 'style_id', 'partner_id'),
    sqlite_with_rowid=False
    )
    op.create_table('rental_defect_rollups',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('bucket_on', sa.Date(), nullable=False),
    sa.Column('style_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('code', sa.Enum('SNAG', 'PILL', 'ABR', 'SEAM', 'FADE', 'SHR', 'TRIM', 'TEAR', 'STN', 'ODOUR', 'FIT',
                              name='defectcode', native_enum=False, length=8), nullable=False),
    sa.Column('defects', sa.Integer(), nullable=False),
    sa.Column('quality_returns', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['style_id'], ['styles.id'], ),
    sa.PrimaryKeyConstraint('grain', 'bucket_on', 'style_id', 'partner_id', 'code'),
    sqlite_with_rowid=False
    )
    op.create_table('rental_open_counts',
    sa.Column('style_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rented', sa.Integer(), nullable=False),
    sa.Column('pooled', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['style_id'], ['styles.id'], ),
    sa.PrimaryKeyConstraint('style_id', 'partner_id')
    )
    with op.batch_alter_table('rental_cycles', schema=None) as batch_op:
        batch_op.drop_index('ix_rental_cycles_checked_out_at')
        batch_op.create_index('ix_rental_cycles_started_partner_garment',
                              ['checked_out_at', 'partner_id', 'garment_id'], unique=False)
    # rentals recorded before this revision are summed up once, from the rental tables
    from cksloop.services.rental_rollups import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('rental_cycles', schema=None) as batch_op:
        batch_op.drop_index('ix_rental_cycles_started_partner_garment')
        batch_op.create_index('ix_rental_cycles_checked_out_at', ['checked_out_at'], unique=False)
    op.drop_table('rental_open_counts')
    op.drop_table('rental_defect_rollups')
    op.drop_table('rental_rollups')
