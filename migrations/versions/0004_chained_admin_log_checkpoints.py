"""the admin log chained, checkpoints, and the system actor

Revision ID: 0004
Revises: 0003

Existing admin log entries are chained in the order they were written (by id), with the same
canonical hash new entries get; the head is kept in chain_heads. Case chains are not touched:
their opening events already carry every field the replay needs.
"""

import json
from datetime import timezone

import sqlalchemy as sa
from alembic import op

import casework.db
from casework.trail.chain import GENESIS, admin_entry_hash

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _aware(value):
    # Raw SQL hands back what the driver has: a string on SQLite, a datetime on PostgreSQL.
    if isinstance(value, str):
        from datetime import datetime

        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _chain_admin_log(connection) -> None:
    rows = connection.execute(sa.text(
        "SELECT id, at, actor_id, action, target_type, target_id, payload FROM admin_log ORDER BY id")).all()
    prev = GENESIS
    for seq, (entry_id, at, actor_id, action, target_type, target_id, payload) in enumerate(rows, start=1):
        digest = admin_entry_hash(seq=seq, at=_aware(at), actor_id=actor_id, action=action, target_type=target_type,
                                  target_id=target_id, payload=json.loads(payload or "{}"), prev_hash=prev)
        connection.execute(sa.text("UPDATE admin_log SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"),
                           {"seq": seq, "prev": prev, "hash": digest, "id": entry_id})
        prev = digest
    connection.execute(sa.text("INSERT INTO chain_heads (name, seq, hash) VALUES ('admin_log', :seq, :hash)"),
                       {"seq": len(rows), "hash": prev})
    connection.execute(sa.text("INSERT INTO chain_heads (name, seq, hash) VALUES ('checkpoints', 0, :hash)"),
                       {"hash": GENESIS})


def upgrade() -> None:
    op.create_table(
        "chain_heads",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_chain_heads")),
    )
    op.create_table(
        "checkpoint_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_seq", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_entries")),
    )
    with op.batch_alter_table("checkpoint_entries", schema=None) as batch_op:
        batch_op.create_index("ix_checkpoint_entries_case_checkpoint", ["case_id", "checkpoint_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkpoint_entries_checkpoint_seq"), ["checkpoint_seq"], unique=False)
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("admin_seq", sa.Integer(), nullable=False),
        sa.Column("admin_head", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoints")),
        sa.UniqueConstraint("seq", name=op.f("uq_checkpoints_seq")),
    )
    with op.batch_alter_table("admin_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_admin_log(op.get_bind())
    with op.batch_alter_table("admin_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_admin_log_seq"), ["seq"])

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkpointed_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_cases_not_checkpointed", ["id"], unique=False,
                              postgresql_where=sa.text("event_count <> checkpointed_count"),
                              sqlite_where=sa.text("event_count <> checkpointed_count"))

    # The system actor: inactive, no usable password ("!" is no argon2 hash), no role.
    op.execute(sa.text(
        "INSERT INTO users (username, display_name, password_hash, is_active, token_generation, "
        "must_change_password, failed_logins, created_at) "
        "VALUES ('system', '系统', '!', :no, 0, :no, 0, CURRENT_TIMESTAMP)").bindparams(no=False))


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE username = 'system'")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_not_checkpointed", postgresql_where=sa.text("event_count <> checkpointed_count"),
                            sqlite_where=sa.text("event_count <> checkpointed_count"))
        batch_op.drop_column("checkpointed_count")
    with op.batch_alter_table("admin_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_admin_log_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("checkpoints")
    with op.batch_alter_table("checkpoint_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkpoint_entries_checkpoint_seq"))
        batch_op.drop_index("ix_checkpoint_entries_case_checkpoint")
    op.drop_table("checkpoint_entries")
    op.drop_table("chain_heads")
