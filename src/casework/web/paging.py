"""Opaque keyset cursors, signed and bound to the sort and filters they were made for."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from casework.errors import BadRequest
from casework.web.context import runtime

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(runtime().settings.secret_key, salt="casework.cursor")


def _fingerprint(bound_to: dict[str, Any]) -> str:
    text = json.dumps(bound_to, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(last: list[Any], bound_to: dict[str, Any]) -> str:
    return _serializer().dumps({"k": last, "f": _fingerprint(bound_to)})


def decode(cursor: str | None, bound_to: dict[str, Any]) -> list[Any] | None:
    """The keys of the last row seen, or None for the first page; a foreign cursor is a 400."""
    if not cursor:
        return None
    try:
        data = _serializer().loads(cursor)
    except BadSignature:
        raise BadRequest("bad_cursor")
    if not isinstance(data, dict) or data.get("f") != _fingerprint(bound_to) or not isinstance(data.get("k"), list):
        raise BadRequest("bad_cursor")
    return data["k"]
