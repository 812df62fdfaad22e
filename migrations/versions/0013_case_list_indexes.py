"""Indexes for the case list at county scale: each sort order, with the filters people use most

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 22:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN = sa.text("closed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_campaign_created')
        batch_op.drop_index('ix_cases_state')
        batch_op.drop_index('ix_cases_assignee_id')
    op.create_index('ix_cases_created', 'cases', ['created_at', 'id'])
    op.create_index('ix_cases_updated', 'cases', ['updated_at', 'id'])
    op.create_index('ix_cases_deadline_order', 'cases', [sa.text("coalesce(deadline, '9999-12-31')"), 'id'])
    op.create_index('ix_cases_campaign_created', 'cases', ['campaign_id', 'created_at', 'id'])
    op.create_index('ix_cases_state_created', 'cases', ['state', 'created_at', 'id'])
    op.create_index('ix_cases_assignee_created', 'cases', ['assignee_id', 'created_at', 'id'])
    op.create_index('ix_cases_open_created', 'cases', ['created_at', 'id', 'deadline'],
                    postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    for name in ('ix_cases_open_created', 'ix_cases_assignee_created', 'ix_cases_state_created',
                 'ix_cases_campaign_created', 'ix_cases_deadline_order', 'ix_cases_updated', 'ix_cases_created'):
        op.drop_index(name, table_name='cases')
    op.create_index('ix_cases_assignee_id', 'cases', ['assignee_id'])
    op.create_index('ix_cases_state', 'cases', ['state'])
    op.create_index('ix_cases_campaign_created', 'cases', ['campaign_id', 'created_at'])
