"""Recording who signed in and who took data out: the one call every export, download and full
read of personal data makes (in the caller's transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casework.trail.chain import dumps
from casework.trail.models import AccessLogEntry

# What the log says happened (the `action` column).
SIGN_IN = "signin.ok"
SIGN_IN_FAILED = "signin.failed"
PASSWORD_CHANGED = "password.changed"
CLOSURE_PACK = "download.closure_pack"
EXPORT_LEDGER = "export.ledger"
EXPORT_REPORT = "export.report"


def record(*, session: Session, action: str, actor_id: int | None, address: str | None,
           username: str | None = None, target_type: str | None = None, target_id: int | None = None,
           detail: dict[str, Any] | None = None) -> AccessLogEntry:
    """Append one entry to the access log."""
    entry = AccessLogEntry(action=action, actor_id=actor_id, username=(username or None) and username[:64],
                           address=(address or None) and address[:64], target_type=target_type,
                           target_id=target_id, detail=dumps(detail or {}))
    session.add(entry)
    return entry
