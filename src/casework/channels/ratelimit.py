"""How fast a channel may be sent to: a token bucket per channel, kept in the database.

Every process that sends — RQ workers on several machines, or the threads of `casework serve` —
takes from the same row, locked for the moment of the take, so the limit holds however many send
at once. A send that finds the bucket empty reserves the next token anyway (the count goes below
zero) and is told when that token falls due: each waiting delivery then has a slot of its own,
and wakes once, at its turn, instead of every waiting send retrying together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.channels.kinds import Rate
from casework.channels.models import ChannelBucket


def _bucket(session: Session, channel_id: int, rate: Rate, now: datetime) -> ChannelBucket:
    query = select(ChannelBucket).where(ChannelBucket.channel_id == channel_id).with_for_update()
    bucket = session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
    if bucket is not None:
        return bucket
    try:
        with session.begin_nested():
            session.add(ChannelBucket(channel_id=channel_id, tokens=float(rate.burst), at=now))
    except IntegrityError:  # another sender made it a moment ago
        pass
    return session.execute(query.execution_options(populate_existing=True)).scalar_one()


def reserve(*, session: Session, channel_id: int, rate: Rate, now: datetime) -> timedelta:
    """Take a token for one send; how long until it may go (zero: now)."""
    bucket = _bucket(session, channel_id, rate, now)
    elapsed = max((now - bucket.at).total_seconds(), 0.0)  # another machine's clock may run ahead
    tokens = min(float(rate.burst), bucket.tokens + elapsed * rate.per_second) - 1
    bucket.tokens, bucket.at = tokens, max(now, bucket.at)
    return timedelta(0) if tokens >= 0 else timedelta(seconds=-tokens / rate.per_second)


def available(*, session: Session, channel_id: int, rate: Rate, now: datetime) -> timedelta:
    """How long until a token is free, without taking one (the test button asks first)."""
    bucket = session.get(ChannelBucket, channel_id)
    if bucket is None:
        return timedelta(0)
    tokens = min(float(rate.burst), bucket.tokens + max((now - bucket.at).total_seconds(), 0.0) * rate.per_second)
    return timedelta(0) if tokens >= 1 else timedelta(seconds=(1 - tokens) / rate.per_second)
