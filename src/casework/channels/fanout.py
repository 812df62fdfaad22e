"""From inbox to channels: which channels hear of which new notifications, as one delivery each.

A person's own channel hears of every notification addressed to them. A unit's channel (its group
robot, its shared mailbox) hears of what the people holding a role at that unit are told — once
per step, however many of them were told: a reminder to the village's two clerks is one message
in the village's group. What one sweep made reaches each channel as a single delivery (a digest
when it holds several steps); a notification reaches a channel at most once, whatever retries or
concurrent jobs do, by a unique key on (channel, notification).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.channels.models import Channel, Delivery, DeliveryItem
from casework.notifications.models import Notification
from casework.outbox import service as outbox
from casework.users.models import Membership

log = logging.getLogger("casework.channels")

# The job that sends one delivery: {"delivery_id": …}.
SEND = "channels.send"


def _new(session: Session, payload: dict) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if "batch" in payload:
        query = query.where(Notification.batch == payload["batch"])
    else:
        query = query.where(Notification.id.in_(payload["ids"]))
    return list(session.scalars(query))


def _routes(session: Session, notifications: list[Notification]) -> dict[int, list[Notification]]:
    """Channel id → the notifications it is to carry (not yet carried), in order."""
    channels = list(session.scalars(select(Channel).where(Channel.enabled.is_(True))))
    if not channels or not notifications:
        return {}
    people = {n.user_id for n in notifications}
    by_user: dict[int, list[int]] = {}
    by_unit: dict[int, list[int]] = {}
    for channel in channels:
        if channel.user_id is not None:
            by_user.setdefault(channel.user_id, []).append(channel.id)
        else:
            by_unit.setdefault(channel.unit_id, []).append(channel.id)
    units_of: dict[int, set[int]] = {}
    if by_unit:
        for user_id, unit_id in session.execute(select(Membership.user_id, Membership.unit_id).where(
                Membership.user_id.in_(people), Membership.unit_id.in_(by_unit))):
            units_of.setdefault(user_id, set()).add(unit_id)
    carried = {(channel_id, notification_id) for channel_id, notification_id in session.execute(
        select(DeliveryItem.channel_id, DeliveryItem.notification_id)
        .where(DeliveryItem.notification_id.in_([n.id for n in notifications])))}
    routes: dict[int, list[Notification]] = {}
    for notification in notifications:
        wanted = list(by_user.get(notification.user_id, []))
        for unit_id in sorted(units_of.get(notification.user_id, ())):
            wanted += by_unit[unit_id]
        for channel_id in dict.fromkeys(wanted):
            if (channel_id, notification.id) not in carried:
                routes.setdefault(channel_id, []).append(notification)
    return routes


def fan_out(*, session: Session, payload: dict, **_) -> list[int]:
    """The job: a delivery per channel for the new notifications, each with its send job; their ids.

    Runs in the job's transaction: the deliveries, their items and their send jobs commit together.
    A concurrent run that took some of the same notifications first makes this one fail on the
    unique key and be retried, when it finds them carried.
    """
    made = []
    for channel_id, carried in sorted(_routes(session, _new(session, payload)).items()):
        steps = {n.dedupe_key for n in carried}
        delivery = Delivery(channel_id=channel_id, status="queued", digest=len(steps) > 1)
        session.add(delivery)
        session.flush()
        session.add_all(DeliveryItem(delivery_id=delivery.id, notification_id=n.id, channel_id=channel_id)
                        for n in carried)
        session.flush()
        outbox.add(session=session, topic=SEND, payload={"delivery_id": delivery.id})
        made.append(delivery.id)
    if made:
        log.info("%d delivery(ies) to channels for %s", len(made),
                 f"batch {payload['batch']}" if "batch" in payload else f"{len(payload['ids'])} notification(s)")
    return made

