"""Bearer tokens: signed, expiring, and void once the user is disabled or their generation moves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.errors import TooManyRequests, Unauthorized
from casework.runtime import Runtime
from casework.users import service as users
from casework.users.models import User
from casework.users.passwords import verify_password

FREE_ATTEMPTS = 5
MAX_BACKOFF = timedelta(minutes=15)


def _serializer(runtime: Runtime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(runtime.settings.secret_key, salt="casework.token")


def issue_token(runtime: Runtime, user: User) -> tuple[str, datetime]:
    token = _serializer(runtime).dumps({"u": user.id, "g": user.token_generation})
    return token, utcnow() + timedelta(seconds=runtime.settings.token_ttl)


def login(*, session: Session, username: str, password: str) -> User:
    """The user if the password is right; failures back off per user (stored, so any process sees it)."""
    user = users.by_username(session=session, username=username)
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise TooManyRequests("login_backoff", retry_after=int((user.locked_until - now).total_seconds()) + 1)
    # Unknown users cost a hash too, so timing does not say which usernames exist.
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        if user is not None and not ok:
            user.failed_logins += 1
            if user.failed_logins >= FREE_ATTEMPTS:
                delay = min(timedelta(seconds=2 ** (user.failed_logins - FREE_ATTEMPTS)), MAX_BACKOFF)
                user.locked_until = now + delay
        raise Unauthorized("bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    return user


def user_from_request(runtime: Runtime, session: Session) -> User:
    """The user named by the request's bearer token; Unauthorized otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("auth_required")
    try:
        data = _serializer(runtime).loads(token.strip(), max_age=runtime.settings.token_ttl)
    except (SignatureExpired, BadSignature):
        raise Unauthorized("token_invalid")
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise Unauthorized("token_invalid")
    user = session.get(User, data["u"])
    if user is None or not user.is_active or user.token_generation != data.get("g"):
        raise Unauthorized("token_invalid")
    return user


def expires_in(expires_at: datetime) -> int:
    return int((expires_at - datetime.now(timezone.utc)).total_seconds())
