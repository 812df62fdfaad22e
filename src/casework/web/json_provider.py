"""JSON out as UTF-8 (Chinese reads as Chinese in a terminal), and never a 500 for odd text.

Stored text never holds a lone surrogate (casework.text refuses it), but an error can quote what
a client sent, such as an unknown field named "\\ud800"; UTF-8 cannot carry that, so such a body
falls back to \\u escapes.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class Utf8JSONProvider(DefaultJSONProvider):
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return super().dumps(obj, **{**kwargs, "ensure_ascii": True})
        return text
