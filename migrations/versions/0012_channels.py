"""Channels: e-mail, group robots and webhooks, their deliveries and rate; a user mobile

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 21:27:11.953185
"""

from alembic import op
import sqlalchemy as sa
import casework.db


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('target_shown', sa.String(length=400), nullable=False),
    sa.Column('target_sealed', sa.Text(), nullable=False),
    sa.Column('secret_sealed', sa.Text(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_sent_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(unit_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_channels_one_owner')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_channels_created_by_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_channels_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_channels_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channels'))
    )
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channels_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_channels_user_id'), ['user_id'], unique=False)

    op.create_table('channel_buckets',
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_buckets_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_channel_buckets'))
    )
    op.create_table('channel_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('test', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_until', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('slot_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_deliveries_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_deliveries'))
    )
    with op.batch_alter_table('channel_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_deliveries_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index('ix_channel_deliveries_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('channel_delivery_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('will_retry', sa.Boolean(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('elapsed_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['channel_deliveries.id'], name=op.f('fk_channel_delivery_attempts_delivery_id_channel_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_delivery_attempts'))
    )
    with op.batch_alter_table('channel_delivery_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_delivery_attempts_delivery_id'), ['delivery_id'], unique=False)

    op.create_table('channel_delivery_items',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_delivery_items_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delivery_id'], ['channel_deliveries.id'], name=op.f('fk_channel_delivery_items_delivery_id_channel_deliveries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_channel_delivery_items_notification_id_notifications')),
    sa.PrimaryKeyConstraint('delivery_id', 'notification_id', name=op.f('pk_channel_delivery_items')),
    sa.UniqueConstraint('channel_id', 'notification_id', name=op.f('uq_channel_delivery_items_channel_id_notification_id'))
    )
    with op.batch_alter_table('channel_delivery_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_delivery_items_notification_id'), ['notification_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_batch'), ['batch'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sa.String(length=11), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mobile')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_batch'))
        batch_op.drop_column('batch')

    with op.batch_alter_table('channel_delivery_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_delivery_items_notification_id'))

    op.drop_table('channel_delivery_items')
    with op.batch_alter_table('channel_delivery_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_delivery_attempts_delivery_id'))

    op.drop_table('channel_delivery_attempts')
    with op.batch_alter_table('channel_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_deliveries_status_next')
        batch_op.drop_index(batch_op.f('ix_channel_deliveries_channel_id'))

    op.drop_table('channel_deliveries')
    op.drop_table('channel_buckets')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channels_user_id'))
        batch_op.drop_index(batch_op.f('ix_channels_unit_id'))

    op.drop_table('channels')
