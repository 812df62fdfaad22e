"""Stored answers to POSTs made with an Idempotency-Key (scoped to user, method and path).

The answer is stored in the same transaction as the change it answers for, so either both exist
or neither: a process killed between the two leaves nothing to block or re-run the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.idempotency.models import IdempotencyRecord

# How long a key is remembered: retries come within minutes or hours, not days.
KEPT_FOR = timedelta(days=2)


@dataclass(frozen=True)
class Scope:
    user_id: int
    method: str
    path: str
    key: str


@dataclass(frozen=True)
class Answer:
    fingerprint: str
    status: int
    body: str


def find(*, session: Session, scope: Scope) -> Answer | None:
    """The stored answer for this key, if any."""
    record = session.scalars(select(IdempotencyRecord).filter_by(**scope.__dict__)).first()
    if record is None:
        return None
    return Answer(record.request_hash, record.status_code, record.response_body)


def store(*, session: Session, scope: Scope, answer: Answer) -> bool:
    """Keep the answer in the caller's transaction; False when another request stored one first.

    On False the caller rolls its whole transaction back (its change must not land twice) and
    gives the other request's answer instead.
    """
    try:
        with session.begin_nested():
            session.add(IdempotencyRecord(**scope.__dict__, request_hash=answer.fingerprint,
                                          status_code=answer.status, response_body=answer.body))
    except IntegrityError:
        return False
    return True


def forget_old(*, session: Session) -> int:
    """Drop answers older than KEPT_FOR; how many went."""
    return session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEPT_FOR)).rowcount
