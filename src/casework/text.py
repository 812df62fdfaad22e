"""Checking text and numbers before the database sees them.

PostgreSQL rejects NUL characters and lone surrogates, and integers past 64 bits overflow; saying
so here gives the person a clear 422 instead of a 500.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from casework.errors import Unprocessable

MAX_INT = 2**31 - 1
# Campaign dates and deadlines: anything outside is a typing slip, not a plan.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def clean_text(value: Any, *, field: str, max_length: int, required: bool = True) -> str | None:
    """NFC text without control characters (but newlines and tabs), within `max_length`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Unprocessable("invalid_field", field=field, reason="must not be empty")
        return None
    if not isinstance(value, str):
        raise Unprocessable("invalid_field", field=field, reason="must be text")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise Unprocessable("invalid_field", field=field, reason="contains an invalid character (lone surrogate)")
    if any(ch in "\x00" or (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t") for ch in value):
        raise Unprocessable("invalid_field", field=field, reason="contains a control character")
    value = unicodedata.normalize("NFC", value.strip())
    if len(value) > max_length:
        raise Unprocessable("invalid_field", field=field, reason=f"at most {max_length} characters")
    return value


def clean_id(value: Any, *, field: str) -> int:
    """A positive database id."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_INT:
        raise Unprocessable("invalid_field", field=field, reason="must be a positive whole number id")
    return value


def clean_date(value: Any, *, field: str) -> date:
    """A calendar date from 2000 to 2099, given as a date or as YYYY-MM-DD."""
    parsed = None
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and len(value) == 10:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise Unprocessable("invalid_field", field=field, reason="must be a date written YYYY-MM-DD")
    if not EARLIEST <= parsed <= LATEST:
        raise Unprocessable("invalid_field", field=field, reason=f"must lie between {EARLIEST} and {LATEST}")
    return parsed
