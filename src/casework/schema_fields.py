"""Marshmallow fields that refuse what the database would choke on, with a clear message.

They apply the same checks as `casework.text`, so a body field and a service argument are judged
alike; the messages are catalogue codes that the web layer spells out in the caller's language.
"""

from __future__ import annotations

import unicodedata

from marshmallow import ValidationError, fields, validate

from casework.limits import MAX_ID
from casework.text import is_blank, problem_with


class Text(fields.String):
    """Text without NUL, other control characters (but newline and tab) or lone surrogates, NFC.

    `names=True` for names and titles: bidi overrides and isolates are refused too.
    """

    def __init__(self, *, max_length: int = 200, min_length: int = 0, names: bool = False, **kwargs) -> None:
        validators = list(kwargs.pop("validate", []) or [])
        validators.append(validate.Length(min=min_length, max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.names = names
        self.min_length = min_length

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = problem_with(text, names=self.names)
        if problem:
            raise ValidationError(problem)
        if self.min_length and is_blank(text):
            # Only zero-width spaces and the like: it would show as nothing at all.
            raise ValidationError("text_empty")
        return unicodedata.normalize("NFC", text)


def Id(*, strict: bool = True, **kwargs) -> fields.Integer:  # noqa: N802 - reads like a field class at the call site
    """A database id: a whole number from 1 to 2^31-1 (bigger numbers are refused, not a 500).

    Strict in JSON bodies ("5" is not an id); query strings are text, so their ids pass strict=False.
    """
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Version(**kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)
