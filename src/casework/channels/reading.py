"""What admins read of channels: each with its state (waiting, failed, the last error), and a
channel's recent deliveries with every attempt."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.channels.models import Channel, Delivery, DeliveryAttempt, DeliveryItem
from casework.channels.service import owner_names

WAITING_STATES = ("queued", "sending", "waiting")


def summaries(*, session: Session, channels: list[Channel]) -> list[dict]:
    """Each channel as lists show it (never its key or secret)."""
    ids = [c.id for c in channels]
    counts: dict[tuple[int, str], int] = {}
    if ids:
        counts = {(channel_id, status): n for channel_id, status, n in session.execute(
            select(Delivery.channel_id, Delivery.status, func.count()).where(
                Delivery.channel_id.in_(ids), Delivery.test.is_(False), Delivery.status.in_(WAITING_STATES + ("failed",)))
            .group_by(Delivery.channel_id, Delivery.status))}
    names = owner_names(session=session, channels=channels)
    return [{
        "id": c.id, "kind": c.kind, "name": c.name, "unit_id": c.unit_id, "user_id": c.user_id,
        "owner_name": names[c.id], "target": c.target_shown, "has_secret": c.secret_sealed is not None,
        "enabled": c.enabled, "created_at": c.created_at, "updated_at": c.updated_at, "last_sent_at": c.last_sent_at,
        "last_error": c.last_error, "last_error_at": c.last_error_at,
        # An error since fixed (a later send went through) is history, not the state.
        "failing": c.last_error_at is not None and (c.last_sent_at is None or c.last_error_at > c.last_sent_at),
        "waiting": sum(counts.get((c.id, s), 0) for s in WAITING_STATES), "failed": counts.get((c.id, "failed"), 0),
    } for c in channels]


def deliveries_of(*, session: Session, channel: Channel, limit: int = 20) -> list[dict]:
    """The channel's latest deliveries, newest first, each with its notifications and attempts."""
    rows = list(session.scalars(select(Delivery).where(Delivery.channel_id == channel.id)
                                .order_by(Delivery.id.desc()).limit(limit)))
    ids = [d.id for d in rows]
    carried: dict[int, list[int]] = {}
    tries: dict[int, list[DeliveryAttempt]] = {}
    if ids:
        for delivery_id, notification_id in session.execute(
                select(DeliveryItem.delivery_id, DeliveryItem.notification_id)
                .where(DeliveryItem.delivery_id.in_(ids)).order_by(DeliveryItem.notification_id)):
            carried.setdefault(delivery_id, []).append(notification_id)
        for attempt in session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids))
                                       .order_by(DeliveryAttempt.id)):
            tries.setdefault(attempt.delivery_id, []).append(attempt)
    return [{"id": d.id, "status": d.status, "digest": d.digest, "test": d.test, "attempts": d.attempts,
             "created_at": d.created_at, "sent_at": d.sent_at, "next_attempt_at": d.next_attempt_at,
             "last_error": d.last_error, "notification_ids": carried.get(d.id, []), "tries": tries.get(d.id, [])}
            for d in rows]


def test_answer(*, session: Session, channel: Channel, delivery_id: int) -> DeliveryAttempt | None:
    """What the other end answered to a test message sent through `channel` (None: not one of its tests)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.channel_id != channel.id or not delivery.test:
        return None
    return session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id)
                           .order_by(DeliveryAttempt.id.desc()).limit(1)).first()
