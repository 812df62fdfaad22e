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
_encode_text = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept as it is


def canonical_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    elif value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    if value.year >= 1000:  # isoformat is several times faster than strftime and, from 1000 on, the same
        return value.isoformat(timespec="microseconds")[:-6] + "Z"  # "+00:00" off
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def _as_text(value: Any) -> str:
    if isinstance(value, datetime):
        return canonical_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no canonical form")


def dumps(value: Any) -> str:
    """The canonical JSON of `value`: what `normalise` then `json.dumps` give, computed faster.

    Verifying millions of events spends its time here. Walking the value in Python (`normalise`)
    costs ~20 µs an event; the C encoder with times as its `default` costs a few. The encoder does
    not apply NFC, so its text is checked instead: JSON's quotes, commas and escapes never combine
    with a neighbour, so the text is NFC exactly when every string in it is. Otherwise (rare: text
    typed in decomposed form) the value is walked and normalised as before.
    """
    try:
        text = json.dumps(value, default=_as_text, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    except TypeError:  # keys that are not text (a date as a key): leave it to the walk
        text = None
    if text is not None and unicodedata.is_normalized("NFC", text):
        return text
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


def _plain(text: Any) -> str | None:
    """`text` as a JSON string, if it is text already in canonical (NFC) form."""
    if type(text) is not str or not (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return None
    return _encode_text(text)


def event_text(*, case_id: int, seq: int, event: str, from_state: str | None, to_state: str, actor_id: int,
               at: datetime, payload_text: str, prev_hash: str) -> str | None:
    """The canonical text `event_hash` hashes, put together from a payload already stored in
    canonical form — without parsing it — or None when a part is not plain enough to say.

    Verifying millions of events needs this: a match against the stored hash proves the parts are
    what was hashed (every part but the payload is a JSON number or an escaped string, so nothing
    can shift between them), and only a mismatch needs the slow path that parses the payload.
    """
    texts = (_plain(event), "null" if from_state is None else _plain(from_state), _plain(to_state),
             _plain(prev_hash))
    if None in texts or not (type(case_id) is type(seq) is type(actor_id) is int) or not isinstance(at, datetime):
        return None
    event_json, from_json, to_json, prev_json = texts
    return (f'{{"actor_id":{actor_id},"at":"{canonical_time(at)}","case_id":{case_id},"event":{event_json},'
            f'"from_state":{from_json},"payload":{payload_text},"prev_hash":{prev_json},"seq":{seq},'
            f'"to_state":{to_json}}}')


def admin_entry_hash(*, seq: int, at: datetime, actor_id: int | None, action: str, target_type: str,
                     target_id: int | None, payload: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of one admin log entry and the hash before it."""
    body = {"seq": seq, "at": at, "actor_id": actor_id, "action": action, "target_type": target_type,
            "target_id": target_id, "payload": payload, "prev_hash": prev_hash}
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()


def digest(body: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of `body` (checkpoints, manifests)."""
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()
