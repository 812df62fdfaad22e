"""Idempotency-Key for POST: the same key and body get the first answer and cause no second effect.

The key is claimed (a row committed) before the view runs, so a concurrent duplicate waits its turn
as a 409 rather than running twice; the response is stored when the view succeeds, and the claim
is dropped when it fails, so a corrected retry may reuse the key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from casework.db import utcnow
from casework.errors import Conflict, Unprocessable
from casework.idempotency.models import IdempotencyRecord
from casework.web.context import runtime

IN_PROGRESS = 0
STALE_CLAIM = timedelta(minutes=5)


def _request_hash() -> str:
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def idempotent(view):
    """Honour an Idempotency-Key header on this POST view (scoped to user, method and path)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        user = g.get("user")
        if not key or user is None:
            return view(*args, **kwargs)
        # Printable ASCII, as the header's draft standard has it (PostgreSQL would choke on a NUL).
        if len(key) > 200 or not (key.isascii() and key.isprintable()):
            raise Unprocessable("invalid_field", field="Idempotency-Key",
                                reason="at most 200 printable ASCII characters")
        scope = dict(user_id=user.id, method=request.method, path=request.path, key=key)
        digest = _request_hash()
        sessions = runtime().sessions
        _end_request_transaction()
        with sessions() as session, session.begin():
            record = session.scalars(select(IdempotencyRecord).filter_by(**scope)).first()
            if record is not None and record.status_code == IN_PROGRESS and record.created_at < utcnow() - STALE_CLAIM:
                session.delete(record)
                session.flush()
                record = None
            if record is not None:
                if record.request_hash != digest:
                    raise Unprocessable("idempotency_mismatch")
                if record.status_code == IN_PROGRESS:
                    raise Conflict("idempotency_in_progress")
                return Response(record.response_body, status=record.status_code, mimetype="application/json")
            try:
                with session.begin_nested():
                    session.add(IdempotencyRecord(**scope, request_hash=digest, status_code=IN_PROGRESS,
                                                  response_body=""))
            except IntegrityError:
                raise Conflict("idempotency_in_progress")
        try:
            response = view(*args, **kwargs)
        except BaseException:
            _end_request_transaction()
            _release(scope)
            raise
        result = response if isinstance(response, Response) else _as_response(response)
        _end_request_transaction()
        with sessions() as session, session.begin():
            record = session.scalars(select(IdempotencyRecord).filter_by(**scope)).first()
            if result.status_code < 400 and record is not None:
                record.status_code = result.status_code
                record.response_body = result.get_data(as_text=True)
            elif record is not None:
                session.delete(record)
        return result

    return wrapper


def _end_request_transaction() -> None:
    """End the request session's transaction before the key is touched in a session of its own.

    On SQLite every transaction takes the write lock at BEGIN (see casework.db), so the other
    session would wait for the request's own one until the busy timeout and fail.
    """
    session = g.get("db")
    if session is not None:
        session.rollback()


def _as_response(value) -> Response:
    from flask import make_response

    return make_response(value)


def _release(scope: dict) -> None:
    with runtime().sessions() as session, session.begin():
        session.execute(delete(IdempotencyRecord).filter_by(**scope))
