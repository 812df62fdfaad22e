"""Recording changes to units, users and roles, so an auditor can say who granted what, when.

One chain over the whole log, appended under a lock on its head: admin changes are rare, so the
lock costs nothing, and an edited, removed or reordered entry is caught like a case's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.trail import heads
from casework.trail.chain import admin_entry_hash, dumps, normalise
from casework.trail.models import AdminLogEntry


def record(*, session: Session, actor_id: int | None, action: str, target_type: str,
           target_id: int | None, payload: dict[str, Any] | None = None) -> AdminLogEntry:
    """Append one admin log entry in the caller's transaction."""
    head = heads.lock(session=session, name=heads.ADMIN_LOG)
    payload = normalise(payload or {})
    at, seq = utcnow(), head.seq + 1
    digest = admin_entry_hash(seq=seq, at=at, actor_id=actor_id, action=action, target_type=target_type,
                              target_id=target_id, payload=payload, prev_hash=head.hash)
    entry = AdminLogEntry(seq=seq, at=at, actor_id=actor_id, action=action, target_type=target_type,
                          target_id=target_id, payload=dumps(payload), prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry
