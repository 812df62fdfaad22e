"""plan import

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 20:20:04.421604
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('parties', sa.Text(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('source', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('imported', sa.Text(), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.drop_column('imported')
        batch_op.drop_column('source')
        batch_op.drop_column('parties')
        batch_op.drop_column('area')


