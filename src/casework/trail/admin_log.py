"""Recording changes to units, users and roles, so an auditor can say who granted what, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casework.trail.chain import dumps
from casework.trail.models import AdminLogEntry


def record(*, session: Session, actor_id: int | None, action: str, target_type: str,
           target_id: int | None, payload: dict[str, Any] | None = None) -> AdminLogEntry:
    """Append one admin log entry in the caller's transaction."""
    entry = AdminLogEntry(actor_id=actor_id, action=action, target_type=target_type,
                          target_id=target_id, payload=dumps(payload or {}))
    session.add(entry)
    return entry
