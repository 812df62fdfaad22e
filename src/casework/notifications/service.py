"""Putting notifications in inboxes (exactly once per person and key) and reading them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.notifications.models import DeadlineStep, Notification
from casework.trail.chain import dumps


def take_step(*, session: Session, case_id: int, kind: str, level: int, clock_seq: int) -> bool:
    """Claim a deadline step for this transaction; False when it was taken before (or is being taken)."""
    try:
        with session.begin_nested():
            session.add(DeadlineStep(case_id=case_id, kind=kind, level=level, clock_seq=clock_seq))
    except IntegrityError:
        return False
    return True


def deliver(*, session: Session, user_ids: list[int], kind: str, code: str, params: dict[str, Any],
            dedupe_key: str, case_id: int | None = None, level: int = 0) -> list[int]:
    """Put one notification in each person's inbox, unless they already have this key; the ids of
    those who got it now."""
    delivered = []
    for user_id in dict.fromkeys(user_ids):
        try:
            with session.begin_nested():
                session.add(Notification(user_id=user_id, case_id=case_id, kind=kind, level=level, code=code,
                                         params=dumps(params), dedupe_key=dedupe_key))
        except IntegrityError:
            continue
        delivered.append(user_id)
    return delivered


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
