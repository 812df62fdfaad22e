"""Refusing requests the parsers would choke on, before any view or rule sees them."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from casework.errors import BadRequest

MAX_JSON_DEPTH = 32  # the API's bodies nest three levels at most


class _DuplicateKey(Exception):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of duplicate keys; two "version" fields mean a confused client.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_unreadable_json() -> None:
    """A JSON body the parser would choke on later is a 400 now, not a 500 from inside webargs.

    webargs catches only JSONDecodeError, so deep nesting (RecursionError) and integers past
    Python's 4300-digit limit (ValueError) escaped as server errors.
    """
    if not request.is_json:
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        value = json.loads(raw, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKey as exc:
        raise BadRequest("malformed_json", reason=f"the key {exc.args[0]!r} appears twice")
    except (ValueError, RecursionError):
        raise BadRequest("malformed_json", reason="the body could not be parsed")
    level, todo = 0, [value]
    while todo:
        level += 1
        if level > MAX_JSON_DEPTH:
            raise BadRequest("malformed_json", reason=f"nested deeper than {MAX_JSON_DEPTH} levels")
        todo = [v for c in todo if isinstance(c, (list, dict))
                for v in (c.values() if isinstance(c, dict) else c) if isinstance(v, (list, dict))]


def refuse_malformed() -> None:
    """before_request: a bad query string or body is a 4xx here rather than a 500 further in."""
    if request.endpoint is None:  # 404/405: let the error handlers answer
        return
    try:
        request.args  # werkzeug decodes the query string strictly: raw GBK bytes would be a 500
    except UnicodeDecodeError:
        raise BadRequest("malformed_query")
    if request.method in ("POST", "PUT", "PATCH"):
        if request.content_length and not request.is_json:
            raise UnsupportedMediaType()
        _refuse_unreadable_json()
