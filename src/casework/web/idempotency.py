"""Idempotency-Key for POST: the same key and body get the first answer and cause no second effect.

The view runs in the request's transaction as usual, but its `commit()` only flushes: the answer is
stored beside the change and both commit together (casework/idempotency/service.py). Two
concurrent requests with one key both run; the second's store fails on the unique key, its change
is rolled back, and it answers what the first stored. A failed request stores nothing, so a
corrected retry may use the key again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from flask import Response, g, make_response, request

from casework.errors import Conflict, Unprocessable
from casework.idempotency import service
from casework.web.context import db

MAX_KEY = 200


def body_fingerprint() -> str:
    """The request's JSON body, canonicalised (key order and spacing do not make a new request)."""
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def uploaded_file_sha256() -> str:
    """The SHA-256 of the request's uploaded `file` (of nothing when there is none), read in
    chunks and rewound for the view: what an upload's fingerprint is made from, since the multipart
    body's boundary changes on every try."""
    upload = request.files.get("file")
    sha = hashlib.sha256()
    if upload is not None:
        for chunk in iter(lambda: upload.stream.read(1024 * 1024), b""):
            sha.update(chunk)
        upload.stream.seek(0)
    return sha.hexdigest()


def deferring_commit() -> bool:
    """Whether this request's commit waits for its idempotent answer to be stored beside it."""
    return g.get("casework_idempotent", False)


def _replay(answer: service.Answer, fingerprint: str) -> Response:
    if answer.fingerprint != fingerprint:
        raise Unprocessable("idempotency_mismatch")
    return Response(answer.body, status=answer.status, mimetype="application/json")


def idempotent(view=None, *, fingerprint: Callable[[], str] = body_fingerprint):
    """Honour an Idempotency-Key header on this POST view; `fingerprint` says what "the same request" is."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key")
            user = g.get("user")
            if not key or user is None:
                return view(*args, **kwargs)
            # Printable ASCII, as the header's draft standard has it (PostgreSQL would choke on a NUL).
            if len(key) > MAX_KEY or not (key.isascii() and key.isprintable()):
                raise Unprocessable("invalid_field", field="Idempotency-Key", reason_code="idempotency_key_invalid",
                                    max=MAX_KEY)
            scope = service.Scope(user.id, request.method, request.path, key)
            digest = fingerprint()
            session = db()
            earlier = service.find(session=session, scope=scope)
            if earlier is not None:
                return _replay(earlier, digest)
            g.casework_idempotent = True
            try:
                result = make_response(view(*args, **kwargs))
            finally:
                g.casework_idempotent = False
            if result.status_code >= 400:
                session.rollback()
                return result
            answer = service.Answer(digest, result.status_code, result.get_data(as_text=True))
            if not service.store(session=session, scope=scope, answer=answer):
                session.rollback()
                earlier = service.find(session=session, scope=scope)
                if earlier is None:
                    raise Conflict("idempotency_in_progress")
                return _replay(earlier, digest)
            session.commit()
            return result

        return wrapper

    return decorate(view) if view is not None else decorate
