"""Text files as people's machines write them: UTF-8 (with or without a BOM) or, from Excel and
Notepad on Chinese Windows, GBK/GB18030 — detected, never asked."""

from __future__ import annotations

from casework.errors import Unprocessable


def decode(data: bytes, *, field: str = "file") -> str:
    """The text of `data`; a 422 when it is in neither encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, and decodes any of them.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise Unprocessable("invalid_field", field=field, reason_code="text_encoding_unknown")
