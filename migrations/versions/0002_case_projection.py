"""the case row as a projection of its events: closed_at, state_since, clock_seq; item positions

Revision ID: 0002
Revises: 0001

Existing chains are not rewritten (their hashes stay valid): the new columns are filled by
replaying each case's events, the same way `audit verify` replays them.
"""

import json

import sqlalchemy as sa
from alembic import op

import casework.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _closed_states(connection) -> dict[tuple[str, int], set[str]]:
    rows = connection.execute(sa.text("SELECT key, version, definition FROM workflow_versions")).all()
    return {(key, version): {name for name, state in json.loads(definition)["states"].items()
                             if state.get("closed") or state.get("final")}
            for key, version, definition in rows}


def _fill_cases(connection) -> None:
    closed_by_workflow = _closed_states(connection)
    cases = connection.execute(sa.text("SELECT id, workflow_key, workflow_version FROM cases")).all()
    for case_id, key, version in cases:
        closed = closed_by_workflow.get((key, version), set())
        events = connection.execute(sa.text(
            "SELECT seq, from_state, to_state, at, payload FROM case_events WHERE case_id = :id ORDER BY seq"),
            {"id": case_id}).all()
        state_since, clock_seq, closed_at = None, 1, None
        for seq, from_state, to_state, at, payload in events:
            if from_state is None or to_state != from_state:
                state_since, clock_seq = at, seq
                if to_state in closed:
                    closed_at = at if (from_state not in closed or closed_at is None) else closed_at
                else:
                    closed_at = None
            if "deadline" in json.loads(payload or "{}") and from_state is not None:
                clock_seq = seq
        connection.execute(sa.text(
            "UPDATE cases SET state_since = :since, clock_seq = :clock, closed_at = :closed WHERE id = :id"),
            {"since": state_since, "clock": clock_seq, "closed": closed_at, "id": case_id})


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item_seq", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE campaigns SET item_seq = COALESCE((SELECT MAX(position) FROM inspection_items "
               "WHERE inspection_items.campaign_id = campaigns.id), 0)")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("state_since", casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("clock_seq", sa.Integer(), nullable=False, server_default="1"))
    _fill_cases(op.get_bind())
    op.execute("UPDATE cases SET state_since = created_at WHERE state_since IS NULL")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("state_since", existing_type=casework.db.UTCDateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("clock_seq")
        batch_op.drop_column("state_since")
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("item_seq")
