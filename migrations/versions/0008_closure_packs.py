"""closure packs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 20:14:44.013235
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('closure_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('closing_seq', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_size', sa.BigInteger(), nullable=True),
    sa.Column('zip_sha256', sa.String(length=64), nullable=True),
    sa.Column('zip_size', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('built_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_closure_packs_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure_packs')),
    sa.UniqueConstraint('case_id', 'closing_seq', name=op.f('uq_closure_packs_case_id_closing_seq'))
    )
    with op.batch_alter_table('closure_packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_packs_case_id'), ['case_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('closure_packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_packs_case_id'))

    op.drop_table('closure_packs')

