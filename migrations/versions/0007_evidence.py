"""evidence

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 20:01:41.365672
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('evidence_phash_bands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_phash_bands_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_phash_bands'))
    )
    with op.batch_alter_table('evidence_phash_bands', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_phash_bands_band_value', ['band', 'value'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_phash_bands_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('evidence_reuse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('other_evidence_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('distance', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_reuse_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['other_evidence_id'], ['evidence.id'], name=op.f('fk_evidence_reuse_other_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_reuse'))
    )
    with op.batch_alter_table('evidence_reuse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_reuse_evidence_id'), ['evidence_id'], unique=False)

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('taken_at', casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('gps_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('gps_lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('camera', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phash', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('thumbnail_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=True))
        batch_op.create_index('ix_evidence_case_kind_sha256', ['case_id', 'kind', 'sha256'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_withdrawn_by_users'), 'users', ['withdrawn_by'], ['id'])




def downgrade() -> None:

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_withdrawn_by_users'), type_='foreignkey')
        batch_op.drop_index('ix_evidence_case_kind_sha256')
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('thumbnail_sha256')
        batch_op.drop_column('phash')
        batch_op.drop_column('height')
        batch_op.drop_column('width')
        batch_op.drop_column('camera')
        batch_op.drop_column('gps_lon')
        batch_op.drop_column('gps_lat')
        batch_op.drop_column('taken_at')
        batch_op.drop_column('note')

    with op.batch_alter_table('evidence_reuse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_reuse_evidence_id'))

    op.drop_table('evidence_reuse')
    with op.batch_alter_table('evidence_phash_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_phash_bands_evidence_id'))
        batch_op.drop_index('ix_evidence_phash_bands_band_value')

    op.drop_table('evidence_phash_bands')

