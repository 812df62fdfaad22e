"""Per-request state: the database session, the signed-in user."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from casework.runtime import Runtime
from casework.users.models import User


def runtime() -> Runtime:
    return current_app.extensions["casework"]


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db" not in g:
        g.db = runtime().sessions()
    return g.db


def commit() -> None:
    """The request boundary: the change, its audit event and outbox rows land together."""
    db().commit()


def current_user() -> User:
    return g.user


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
