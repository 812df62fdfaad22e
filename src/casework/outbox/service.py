"""Adding work to the outbox in the caller's transaction, and handing it out once it committed.

Rows are claimed so that two dispatchers never take the same one: `FOR UPDATE SKIP LOCKED` on
PostgreSQL; on SQLite every write transaction holds the database's one write lock from its BEGIN
(casework.db), so dispatchers simply take turns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.outbox.models import OutboxMessage
from casework.trail.chain import dumps

# Set on a session whose transaction added outbox rows, so the commit hook knows to dispatch.
PENDING = "casework.outbox_pending"


def add(*, session: Session, topic: str, payload: dict[str, Any], case_id: int | None = None,
        dedupe_key: str | None = None) -> OutboxMessage:
    """Work for after the caller's commit."""
    row = OutboxMessage(topic=topic, case_id=case_id, payload=dumps(payload), dedupe_key=dedupe_key)
    session.add(row)
    # After the commit the dispatcher is told which rows to hand out, so it need not look for them.
    session.info.setdefault(PENDING, []).append(row)
    return row


def claim_undispatched(*, session: Session, limit: int = 100, settled_before: datetime | None = None) -> list[OutboxMessage]:
    """Rows not yet handed out, locked for this transaction (others skip them), oldest first.

    `settled_before`: leave younger rows to the dispatch their own commit started.
    """
    query = select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.done_at.is_(None))
    if settled_before is not None:
        query = query.where(OutboxMessage.created_at < settled_before)
    query = query.order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def mark_dispatched(*, session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(dispatched_at=utcnow())
                        .execution_options(synchronize_session=False))


# In-process jobs (no Redis) are retried by handing them back to the dispatcher; after this many
# failures a row stays put, visible to `casework jobs failed`.
MAX_LOCAL_ATTEMPTS = 5


def give_back(*, session: Session, outbox_id: int, error: str) -> None:
    """A job failed: note why, and hand the row back to be dispatched again (up to a limit)."""
    message = session.get(OutboxMessage, outbox_id)
    if message is None:
        return
    message.attempts += 1
    message.last_error = error[:2000]
    if message.attempts < MAX_LOCAL_ATTEMPTS:
        message.dispatched_at = None


def failed(*, session: Session) -> list[OutboxMessage]:
    """Rows whose job failed and is not being retried any more (in-process jobs)."""
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.done_at.is_(None), OutboxMessage.dispatched_at.is_not(None),
        OutboxMessage.attempts >= MAX_LOCAL_ATTEMPTS).order_by(OutboxMessage.id)))


def requeue(*, session: Session, ids: list[int] | None) -> int:
    """Hand failed rows back to the dispatcher (all of them for None); how many."""
    query = update(OutboxMessage).where(OutboxMessage.done_at.is_(None), OutboxMessage.attempts >= MAX_LOCAL_ATTEMPTS)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    return session.execute(query.values(dispatched_at=None, attempts=0)
                           .execution_options(synchronize_session=False)).rowcount


def lost_since(*, session: Session, age: timedelta) -> int:
    """How many rows have waited longer than `age` to be handed out (for health checks)."""
    return len(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.dispatched_at.is_(None), OutboxMessage.done_at.is_(None),
        OutboxMessage.created_at < utcnow() - age)).all())
