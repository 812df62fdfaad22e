"""The canonical form of a case event and its hash.

A hash must come out the same on SQLite and PostgreSQL, today and in ten years: times are UTC
ISO strings with microseconds and a Z, text is NFC, JSON keys are sorted.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date, datetime, timezone
from typing import Any

GENESIS = "0" * 64


def canonical_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise(value: Any) -> Any:
    """NFC text, canonical times, plain containers: what is stored and what is hashed."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, datetime):
        return canonical_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {normalise(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(normalise(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def event_hash(*, case_id: int, seq: int, event: str, from_state: str | None, to_state: str,
               actor_id: int, at: datetime, payload: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of one event and the hash before it."""
    body = {
        "case_id": case_id, "seq": seq, "event": event, "from_state": from_state,
        "to_state": to_state, "actor_id": actor_id, "at": at, "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()


def admin_entry_hash(*, seq: int, at: datetime, actor_id: int | None, action: str, target_type: str,
                     target_id: int | None, payload: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of one admin log entry and the hash before it."""
    body = {"seq": seq, "at": at, "actor_id": actor_id, "action": action, "target_type": target_type,
            "target_id": target_id, "payload": payload, "prev_hash": prev_hash}
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()


def digest(body: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of `body` (checkpoints, manifests)."""
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()
