"""Per-request state: the database session, the signed-in user."""

from __future__ import annotations

from flask import current_app, g, request

from casework.db import Session
from casework.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["casework"]


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db" not in g:
        g.db = runtime().sessions()
    return g.db


def commit() -> None:
    """The request boundary: the change, its audit event and outbox rows land together.

    Under an Idempotency-Key the commit waits for the answer to be stored beside the change
    (web/idempotency.py); until then a flush gives the view its ids.
    """
    from casework.web.idempotency import deferring_commit

    if deferring_commit():
        db().flush()
    else:
        db().commit()


def client_address() -> str | None:
    """Where the request came from (behind CASEWORK_TRUSTED_PROXIES proxies: what they say)."""
    return request.remote_addr


def current_user():
    """The signed-in user of this request."""
    return g.user


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
