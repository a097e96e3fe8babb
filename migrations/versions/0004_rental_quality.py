"""rental quality: pool stays, care steps, defect photos, attention acknowledgements; period indexes

Revision ID: 0004_rental_quality
Revises: 0003_login_throttle
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_rental_quality'
down_revision = '0003_login_throttle'
branch_labels = None
depends_on = None

_OPEN_STAY = sa.text("ended_at IS NULL")
_OPEN_CYCLE = sa.text("returned_at IS NULL")


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _event_id() -> sa.types.TypeEngine:
    # the same type as garment_events.id
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('rental_pool_stays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('garment_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('started_at', _tz(), nullable=False),
    sa.Column('ended_at', _tz(), nullable=True),
    sa.ForeignKeyConstraint(['garment_id'], ['garments.id'], ),
    sa.ForeignKeyConstraint(['partner_id'], ['rental_partners.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rental_pool_stays', schema=None) as batch_op:
        batch_op.create_index('ix_rental_pool_stays_garment_id', ['garment_id'], unique=False)
        batch_op.create_index('ix_rental_pool_stays_partner_id', ['partner_id'], unique=False)
        batch_op.create_index('ix_rental_pool_stays_started_at', ['started_at'], unique=False)
        batch_op.create_index('ix_rental_pool_stays_one_open', ['garment_id'], unique=True,
                              sqlite_where=_OPEN_STAY, postgresql_where=_OPEN_STAY)

    op.create_table('care_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('garment_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('cleaning', 'repair', name='carekind', native_enum=False, length=16), nullable=False),
    sa.Column('started_at', _tz(), nullable=False),
    sa.Column('ended_at', _tz(), nullable=True),
    sa.Column('outcome', sa.Enum('done', 'failed', name='careoutcome', native_enum=False, length=16), nullable=True),
    sa.Column('cost_cents', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('started_event_id', _event_id(), nullable=False),
    sa.Column('ended_event_id', _event_id(), nullable=True),
    sa.ForeignKeyConstraint(['garment_id'], ['garments.id'], ),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], ),
    sa.ForeignKeyConstraint(['started_event_id'], ['garment_events.id'], ),
    sa.ForeignKeyConstraint(['ended_event_id'], ['garment_events.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('care_steps', schema=None) as batch_op:
        batch_op.create_index('ix_care_steps_garment_id', ['garment_id'], unique=False)
        batch_op.create_index('ix_care_steps_started_at', ['started_at'], unique=False)
        batch_op.create_index('ix_care_steps_one_open', ['garment_id'], unique=True,
                              sqlite_where=_OPEN_STAY, postgresql_where=_OPEN_STAY)

    op.create_table('defect_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', _tz(), nullable=False),
    sa.ForeignKeyConstraint(['defect_id'], ['inspection_defects.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('defect_id'),
    sa.UniqueConstraint('stored_name')
    )

    op.create_table('attention_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('quality_returns', sa.Integer(), nullable=False),
    sa.Column('defects', sa.Integer(), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', _tz(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attention_acknowledgements', schema=None) as batch_op:
        batch_op.create_index('ix_attention_ack_subject', ['subject_kind', 'subject_key'], unique=False)

    with op.batch_alter_table('rental_cycles', schema=None) as batch_op:
        batch_op.create_index('ix_rental_cycles_checked_out_at', ['checked_out_at'], unique=False)
        batch_op.create_index('ix_rental_cycles_returned_at', ['returned_at'], unique=False)
        # a garment has at most one open rental cycle (issue 4)
        batch_op.create_index('ix_rental_cycles_one_open', ['garment_id'], unique=True,
                              sqlite_where=_OPEN_CYCLE, postgresql_where=_OPEN_CYCLE)
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_rental_cycle_id', ['rental_cycle_id'], unique=False)
        batch_op.create_index('ix_inspections_event_id', ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_inspections_event_id')
        batch_op.drop_index('ix_inspections_rental_cycle_id')
    with op.batch_alter_table('rental_cycles', schema=None) as batch_op:
        batch_op.drop_index('ix_rental_cycles_one_open')
        batch_op.drop_index('ix_rental_cycles_returned_at')
        batch_op.drop_index('ix_rental_cycles_checked_out_at')
    with op.batch_alter_table('attention_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index('ix_attention_ack_subject')
    op.drop_table('attention_acknowledgements')
    op.drop_table('defect_photos')
    with op.batch_alter_table('care_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_care_steps_one_open')
        batch_op.drop_index('ix_care_steps_started_at')
        batch_op.drop_index('ix_care_steps_garment_id')
    op.drop_table('care_steps')
    with op.batch_alter_table('rental_pool_stays', schema=None) as batch_op:
        batch_op.drop_index('ix_rental_pool_stays_one_open')
        batch_op.drop_index('ix_rental_pool_stays_started_at')
        batch_op.drop_index('ix_rental_pool_stays_partner_id')
        batch_op.drop_index('ix_rental_pool_stays_garment_id')
    op.drop_table('rental_pool_stays')
