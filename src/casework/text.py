"""Checking text and numbers before the database sees them.

PostgreSQL rejects NUL characters and lone surrogates, and integers past 64 bits overflow; saying
so here gives the person a clear 422 instead of a 500. The schemas' fields (schema_fields.py) call
the same checks, so a body field and a service argument are judged alike.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from casework.errors import Unprocessable
from casework.limits import EARLIEST_DATE, LATEST_DATE, MAX_ID

# Bidirectional overrides and isolates let a name or title display as something else than it is
# (a "RLO" turns 'gnp.exe' into 'exe.png'); people never need them in these fields.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def problem_with(value: str, *, names: bool = False) -> str | None:
    """Why `value` cannot be stored (a message code), or None when it is fine.

    `names`: the text names or titles something, so bidi controls are refused too.
    """
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        return "text_lone_surrogate"
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        return "text_control_character"
    if names and any(ch in BIDI_CONTROLS for ch in value):
        return "text_bidi_control"
    return None


def is_blank(value: str) -> bool:
    """Whether nothing visible is left once spaces and format characters (zero-width …) go."""
    return not any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in value)


def clean_text(value: Any, *, field: str, max_length: int, required: bool = True,
               names: bool = False) -> str | None:
    """NFC text without control characters (but newlines and tabs), within `max_length`."""
    if value is None or (isinstance(value, str) and is_blank(value)):
        if required:
            raise Unprocessable("invalid_field", field=field, reason_code="text_empty")
        return None
    if not isinstance(value, str):
        raise Unprocessable("invalid_field", field=field, reason_code="text_not_text")
    problem = problem_with(value, names=names)
    if problem:
        raise Unprocessable("invalid_field", field=field, reason_code=problem)
    value = unicodedata.normalize("NFC", value.strip())
    if len(value) > max_length:
        raise Unprocessable("invalid_field", field=field, reason_code="text_too_long", max=max_length)
    return value


def clean_id(value: Any, *, field: str) -> int:
    """A positive database id."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise Unprocessable("invalid_field", field=field, reason_code="not_an_id")
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
        raise Unprocessable("invalid_field", field=field, reason_code="not_a_date")
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise Unprocessable("invalid_field", field=field, reason_code="date_out_of_range",
                            earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
    return parsed
