"""households

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:40:12.301544
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('head_name', sa.String(length=50), nullable=False),
    sa.Column('id_number_sealed', sa.Text(), nullable=True),
    sa.Column('id_number_index', sa.String(length=64), nullable=True),
    sa.Column('phone_sealed', sa.Text(), nullable=True),
    sa.Column('phone_index', sa.String(length=64), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_households_created_by_users')),
    sa.ForeignKeyConstraint(['officer_id'], ['units.id'], name=op.f('fk_households_officer_id_units')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_households_updated_by_users')),
    sa.ForeignKeyConstraint(['village_id'], ['units.id'], name=op.f('fk_households_village_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('id_number_index', name=op.f('uq_households_id_number_index')),
    sa.UniqueConstraint('number', name=op.f('uq_households_number'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_phone_index'), ['phone_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_village_id'), ['village_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_village_id'))
        batch_op.drop_index(batch_op.f('ix_households_phone_index'))
        batch_op.drop_index(batch_op.f('ix_households_officer_id'))
        batch_op.drop_index(batch_op.f('ix_households_category'))

    op.drop_table('households')

