"""Putting notifications in inboxes (exactly once per person and key) and reading them.

New notifications are also handed on to the channels people watch (casework.channels): each
`deliver` adds an OUTBOUND job for what it put in inboxes, in the same transaction; a sweep marks
its notifications with its batch instead and hands the whole batch on once it is done, so a
group hears of a morning's 80 overdue cases in one digest rather than 80 messages. An install
with no channel in use adds no such job: nothing would come of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.notifications.models import DeadlineStep, Notification
from casework.outbox import service as outbox
from casework.trail.chain import dumps


def take_step(*, session: Session, case_id: int, kind: str, level: int, clock_seq: int) -> bool:
    """Claim a deadline step for this transaction; False when it was taken before (or is being taken)."""
    try:
        with session.begin_nested():
            session.add(DeadlineStep(case_id=case_id, kind=kind, level=level, clock_seq=clock_seq))
    except IntegrityError:
        return False
    return True


# The job that hands new notifications on to channels: {"ids": [...]} or {"batch": "..."}.
OUTBOUND = "notifications.outbound"
# casework.channels builds on this package, so its table is named here rather than imported.
_ANY_CHANNEL = text("SELECT 1 FROM channels WHERE enabled LIMIT 1")


def _channels_in_use(session: Session) -> bool:
    return session.execute(_ANY_CHANNEL).first() is not None


def deliver(*, session: Session, user_ids: list[int], kind: str, code: str, params: dict[str, Any],
            dedupe_key: str, case_id: int | None = None, level: int = 0, batch: str | None = None) -> list[int]:
    """Put one notification in each person's inbox, unless they already have this key; the ids of
    those who got it now. Without a `batch`, what was put in is handed on to channels at once."""
    delivered, made = [], []
    for user_id in dict.fromkeys(user_ids):
        row = Notification(user_id=user_id, case_id=case_id, kind=kind, level=level, code=code,
                           params=dumps(params), dedupe_key=dedupe_key, batch=batch)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        delivered.append(user_id)
        made.append(row.id)
    if made and batch is None and _channels_in_use(session):
        outbox.add(session=session, topic=OUTBOUND, payload={"ids": made})
    return delivered


def hand_on_batch(*, session: Session, batch: str) -> bool:
    """Hand a finished batch's notifications on to channels (when it made any and a channel is in use);
    whether it did."""
    if not _channels_in_use(session):
        return False
    if session.scalars(select(Notification.id).where(Notification.batch == batch).limit(1)).first() is None:
        return False
    outbox.add(session=session, topic=OUTBOUND, payload={"batch": batch})
    return True


def inbox(*, session: Session, user_id: int, limit: int, before_id: int | None = None,
          unread_only: bool = False) -> list[Notification]:
    """The user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(*, session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None)))


def mark_read(*, session: Session, user_id: int, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them, for None) read; how many changed."""
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def owns(*, session: Session, user_id: int, notification_id: int) -> bool:
    """Whether the notification is in the user's inbox (another's is not found, never forbidden)."""
    return session.scalars(select(Notification.id).where(Notification.id == notification_id,
                                                         Notification.user_id == user_id)).first() is not None
