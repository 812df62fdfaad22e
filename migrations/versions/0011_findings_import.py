"""Findings import: where a case came from, its category and household; the admin-added sources

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 20:46:14.147304
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_sources',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_case_sources_added_by_users')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_case_sources'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('category', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_source'), ['source'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_household_id_households'), 'households', ['household_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_household_id_households'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_source'))
        batch_op.drop_index(batch_op.f('ix_cases_household_id'))
        batch_op.drop_index(batch_op.f('ix_cases_category'))
        batch_op.drop_column('category')
        batch_op.drop_column('source')
        batch_op.drop_column('household_id')

    op.drop_table('case_sources')
