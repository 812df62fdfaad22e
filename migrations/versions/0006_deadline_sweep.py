"""the deadline sweep: when to look at each case, working-day overrides, periodic schedules

Revision ID: 0006
Revises: 0005
Every open case is due for a look at once: the first sweep works out its reminders and ladder
steps from its record and sets when to look again.
Create Date: 2026-11-29 19:39:08.415463
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("schedules",
                    sa.Column("name", sa.String(length=64), nullable=False),
                    sa.Column("next_run_at", casework.db.UTCDateTime(timezone=True), nullable=False),
                    sa.Column("last_run_at", casework.db.UTCDateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint("name", name=op.f("pk_schedules")))
    op.create_table('workday_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('set_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_by'], ['users.id'], name=op.f('fk_workday_overrides_set_by_users')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_workday_overrides'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_due_at', casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_cases_next_due_at', ['next_due_at'], unique=False, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
    op.execute("UPDATE cases SET next_due_at = CURRENT_TIMESTAMP WHERE closed_at IS NULL")


def downgrade() -> None:

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_next_due_at', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_column('next_due_at')

    op.drop_table('workday_overrides')
    op.drop_table("schedules")

