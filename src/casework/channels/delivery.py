"""Sending deliveries: a job per delivery, by id; retries with backoff; each channel's rate.

A send job claims its delivery (queued → sending, held for HOLD), takes a token from the
channel's bucket or is given its slot and waits, composes the message and opens the channel's
keys in a short transaction, sends with no transaction open, and records the attempt and what
came back in another. A failure that may pass is tried again after 10 s, 1 min, 5 min and 30 min;
after the fifth attempt, or at once for one that never will, the delivery has failed — listed by
`casework jobs failed`, and with its error on the admin's list of channels.

`wake_due`, run every few seconds by every worker and `casework serve` (the background loop),
queues again whatever waited long enough, and whatever a dead worker held past HOLD: sending is
at least once (a worker killed after the POST sends again), which is why every payload carries
its notification ids for the other end to drop repeats by.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from casework import personal_data
from casework.channels import ratelimit, service, transport
from casework.channels.compose import Message, compose, test_message
from casework.channels.fanout import SEND
from casework.channels.kinds import RATES
from casework.channels.models import Channel, Delivery, DeliveryAttempt
from casework.db import utcnow
from casework.errors import TooManyRequests
from casework.i18n import translate
from casework.outbox import service as outbox

log = logging.getLogger("casework.channels")

QUEUED, SENDING, WAITING, SENT, FAILED = "queued", "sending", "waiting", "sent", "failed"
BACKOFF = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a send job holds its delivery: far longer than a send can take (timeouts 10 s / 20 s).
HOLD = timedelta(minutes=5)
WAKE_BATCH = 500


@dataclass(frozen=True)
class Prepared:
    delivery_id: int
    channel_id: int
    opened: service.Opened
    message: Message


def _claim(session: Session, delivery_id: int, now: datetime) -> bool:
    moved = session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.status == QUEUED)
                            .values(status=SENDING, claimed_until=now + HOLD)
                            .execution_options(synchronize_session=False)).rowcount
    return moved == 1


def _wait(delivery: Delivery, until: datetime) -> None:
    delivery.status, delivery.next_attempt_at, delivery.claimed_until = WAITING, until, None


def _has_turn(session: Session, delivery: Delivery, channel: Channel, now: datetime) -> bool:
    """Whether the channel's rate lets the delivery go now; if not, it waits for its slot."""
    if delivery.slot_at is not None:
        if delivery.slot_at > now:  # woken early (requeued by hand): its slot still stands
            _wait(delivery, delivery.slot_at)
            return False
        delivery.slot_at = None  # its reserved token is due: use it
        return True
    wait = ratelimit.reserve(session=session, channel_id=channel.id, rate=RATES[channel.kind], now=now)
    if wait > timedelta(0):
        delivery.slot_at = now + wait
        _wait(delivery, delivery.slot_at)
        return False
    return True


def _prepare(session: Session, delivery_id: int, now: datetime, settings) -> Prepared | None:
    if not _claim(session, delivery_id, now):
        return None  # sent, failed, gone, or another job holds it
    delivery = session.execute(select(Delivery).where(Delivery.id == delivery_id)
                               .execution_options(populate_existing=True)).scalar_one()
    channel = session.get(Channel, delivery.channel_id)
    if not channel.enabled:
        delivery.status, delivery.last_error, delivery.claimed_until = FAILED, translate("ch_error_disabled"), None
        return None
    if not _has_turn(session, delivery, channel, now):
        return None
    key = personal_data.load(settings.data_key_path)
    message = compose(session=session, delivery=delivery, channel=channel, base_url=settings.base_url)
    return Prepared(delivery.id, channel.id, service.opened(key=key, channel=channel), message)


def _described(outcome: transport.Outcome) -> str:
    """What an admin reads of a failure: our words, and the other end's if it said any."""
    return f"{outcome.error} — {outcome.answer}" if outcome.answer else outcome.error or ""


def record(*, session: Session, delivery_id: int, outcome: transport.Outcome, now: datetime) -> Delivery | None:
    """Write down an attempt and move the delivery on: sent, waiting to try again, or failed."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:  # its channel was deleted meanwhile
        return None
    channel = session.get(Channel, delivery.channel_id)
    delivery.attempts += 1
    again = outcome.retry and delivery.attempts < MAX_ATTEMPTS and not delivery.test
    session.add(DeliveryAttempt(delivery_id=delivery.id, number=delivery.attempts, at=now, ok=outcome.ok,
                                will_retry=again, status_code=outcome.status, answer=outcome.answer,
                                error=outcome.error, elapsed_ms=outcome.elapsed_ms))
    delivery.claimed_until = None
    if outcome.ok:
        delivery.status, delivery.sent_at, delivery.last_error = SENT, now, None
        channel.last_sent_at = now
        return delivery
    delivery.last_error = _described(outcome)
    channel.last_error, channel.last_error_at = delivery.last_error, now
    if again:
        pause = max(BACKOFF[delivery.attempts - 1], outcome.retry_after or timedelta(0))
        _wait(delivery, now + pause)
    else:
        delivery.status = FAILED
        if outcome.retry:
            delivery.last_error = f"{delivery.last_error}({translate('ch_error_gave_up', 'zh', {'attempts': delivery.attempts})})"
    return delivery


def send(*, runtime, payload: dict, **_) -> None:
    """The job for one delivery (a long handler: no transaction is open while it talks to the network)."""
    delivery_id = payload["delivery_id"]
    settings = runtime.settings
    with runtime.transaction() as session:
        prepared = _prepare(session, delivery_id, utcnow(), settings)
    if prepared is None:
        return
    outcome = transport.send(prepared.opened, prepared.message, smtp=settings.smtp,
                             private_ok=settings.channels_private)
    with runtime.transaction() as session:
        delivery = record(session=session, delivery_id=delivery_id, outcome=outcome, now=utcnow())
    if delivery is not None:
        log.log(logging.INFO if outcome.ok else logging.WARNING, "channel #%d (%s) delivery #%d attempt %d: %s",
                prepared.channel_id, prepared.opened.kind, delivery_id, delivery.attempts,
                "sent" if outcome.ok else f"{delivery.status}: {outcome.error}")


def wake_due(*, session: Session, now: datetime | None = None) -> int:
    """Queue again what waited long enough, and what a dead worker held past HOLD; how many."""
    now = now or utcnow()
    query = select(Delivery.id).where(or_(and_(Delivery.status == WAITING, Delivery.next_attempt_at <= now),
                                          and_(Delivery.status == SENDING, Delivery.claimed_until < now)))
    query = query.order_by(Delivery.id).limit(WAKE_BATCH)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    woken = 0
    for delivery_id in session.scalars(query).all():
        moved = session.execute(update(Delivery).where(Delivery.id == delivery_id,
                                                       Delivery.status.in_((WAITING, SENDING)))
                                .values(status=QUEUED, claimed_until=None)
                                .execution_options(synchronize_session=False)).rowcount
        if moved:
            outbox.add(session=session, topic=SEND, payload={"delivery_id": delivery_id})
            woken += 1
    return woken


def failed(*, session: Session, limit: int = 200) -> list[tuple[Delivery, Channel]]:
    """Deliveries that failed for good (not the test button's), newest first."""
    return [(delivery, channel) for delivery, channel in session.execute(
        select(Delivery, Channel).join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.status == FAILED, Delivery.test.is_(False)).order_by(Delivery.id.desc()).limit(limit))]


def requeue(*, session: Session, ids: list[int] | None) -> int:
    """Try failed deliveries again from the start (every one for None); how many."""
    query = select(Delivery.id).where(Delivery.status == FAILED, Delivery.test.is_(False))
    if ids is not None:
        query = query.where(Delivery.id.in_(ids))
    found = session.scalars(query).all()
    for delivery_id in found:
        session.execute(update(Delivery).where(Delivery.id == delivery_id)
                        .values(status=QUEUED, attempts=0, slot_at=None, next_attempt_at=None)
                        .execution_options(synchronize_session=False))
        outbox.add(session=session, topic=SEND, payload={"delivery_id": delivery_id})
    return len(found)


@dataclass(frozen=True)
class TestResult:
    ok: bool
    status: int | None
    answer: str | None
    error: str | None
    elapsed_ms: int
    delivery_id: int


def run_test(*, runtime, channel_id: int) -> TestResult:
    """Send the test message now and say what the other end answered (429 while the channel's
    rate has no room: pressing the button twenty times must not get a robot blocked).

    The caller has checked who may; its own transaction must be over, as no transaction is open
    while the message is on the wire.
    """
    settings = runtime.settings
    with runtime.transaction() as session:
        channel = session.get(Channel, channel_id)
        now = utcnow()
        wait = ratelimit.reserve(session=session, channel_id=channel.id, rate=RATES[channel.kind], now=now)
        if wait > timedelta(0):
            raise TooManyRequests("channel_busy", retry_after=int(wait.total_seconds()) + 1)
        delivery = Delivery(channel_id=channel.id, status=SENDING, test=True, claimed_until=now + HOLD)
        session.add(delivery)
        session.flush()
        key = personal_data.load(settings.data_key_path)
        opened = service.opened(key=key, channel=channel)
        message = test_message(delivery_id=delivery.id, channel=channel, base_url=settings.base_url, at=now)
        delivery_id = delivery.id
    outcome = transport.send(opened, message, smtp=settings.smtp, private_ok=settings.channels_private)
    with runtime.transaction() as session:
        record(session=session, delivery_id=delivery_id, outcome=outcome, now=utcnow())
    log.info("channel #%d (%s) test: %s", channel_id, opened.kind, "sent" if outcome.ok else outcome.error)
    return TestResult(outcome.ok, outcome.status, outcome.answer, outcome.error, outcome.elapsed_ms, delivery_id)
