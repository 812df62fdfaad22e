"""Refusing requests the parsers would choke on, before any view or rule sees them."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from casework.errors import BadRequest, UnsupportedMedia
from casework.web.limits import MAX_JSON_BODY

MAX_JSON_DEPTH = 32  # the API's bodies nest three levels at most


class _DuplicateKey(Exception):
    pass


def takes_files(view=None, *, or_json: bool = False):
    """Mark a view that accepts a multipart upload: the JSON-only checks and 2 MiB limit do not
    apply to it. `or_json`: the view takes a JSON body instead too (which is checked as usual)."""

    def mark(view):
        view.casework_takes_files = "or_json" if or_json else True
        return view

    return mark(view) if view is not None else mark


def _takes_files() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    marked = getattr(view, "casework_takes_files", False)
    return bool(marked) and not (marked == "or_json" and request.mimetype != "multipart/form-data")


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
        raise BadRequest("malformed_json", reason_code="json_duplicate_key", key=exc.args[0])
    except (ValueError, RecursionError):
        raise BadRequest("malformed_json", reason_code="json_unparsable")
    level, todo = 0, [value]
    while todo:
        level += 1
        if level > MAX_JSON_DEPTH:
            raise BadRequest("malformed_json", reason_code="json_too_deep", max=MAX_JSON_DEPTH)
        todo = [v for c in todo if isinstance(c, (list, dict))
                for v in (c.values() if isinstance(c, dict) else c) if isinstance(v, (list, dict))]


def _has_body() -> bool:
    # A chunked body has no Content-Length: it must be checked all the same.
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def refuse_malformed() -> None:
    """before_request: a bad query string or body is a 4xx here rather than a 500 further in."""
    if request.endpoint is None:  # 404/405: let the error handlers answer
        return
    try:
        request.args  # werkzeug decodes the query string strictly: raw GBK bytes would be a 500
    except UnicodeDecodeError:
        raise BadRequest("malformed_query")
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if _takes_files():
        # Checked before anything is read: a multipart upload, or nothing.
        if _has_body() and request.mimetype != "multipart/form-data":
            raise UnsupportedMedia("upload_not_multipart")
        return
    # The type is checked before anything is read, and what is read is capped, chunked or not.
    if request.content_length is not None and request.content_length > MAX_JSON_BODY:
        raise RequestEntityTooLarge()
    if _has_body() and not request.is_json:
        raise UnsupportedMediaType()
    _read_capped()
    _refuse_unreadable_json()


def _read_capped() -> None:
    """Read the body once, at most MAX_JSON_BODY bytes of it; more is a 413.

    A chunked body has no length to refuse it by, and werkzeug stops quietly at a limit rather
    than failing, so a truncated body would look like bad JSON. Reading one byte past the limit
    tells the two apart; what was read is kept where `get_data` looks first.
    """
    raw = bytearray()
    while len(raw) <= MAX_JSON_BODY:
        piece = request.stream.read(MAX_JSON_BODY + 1 - len(raw))  # a stream may give less than asked
        if not piece:
            break
        raw += piece
    if len(raw) > MAX_JSON_BODY:
        raise RequestEntityTooLarge()
    request._cached_data = bytes(raw)
