"""jobs, notifications and verification runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 19:24:34.211467
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('verification_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cases_total', sa.Integer(), nullable=False),
    sa.Column('cases_done', sa.Integer(), nullable=False),
    sa.Column('checked', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_verification_runs_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_runs'))
    )
    with op.batch_alter_table('verification_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_runs_requested_by'), ['requested_by'], unique=False)

    op.create_table('deadline_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('clock_seq', sa.Integer(), nullable=False),
    sa.Column('taken_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deadline_steps_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_steps')),
    sa.UniqueConstraint('case_id', 'kind', 'level', 'clock_seq', name=op.f('uq_deadline_steps_case_id_kind_level_clock_seq'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notifications_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'dedupe_key', name=op.f('uq_notifications_user_id_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_notifications_user_id_id', ['user_id', 'id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', casework.db.UTCDateTime(timezone=True), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('done_at')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_id')
        batch_op.drop_index(batch_op.f('ix_notifications_case_id'))

    op.drop_table('notifications')
    op.drop_table('deadline_steps')
    with op.batch_alter_table('verification_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_runs_requested_by'))

    op.drop_table('verification_runs')

