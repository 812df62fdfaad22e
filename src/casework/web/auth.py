"""Bearer tokens: signed, expiring, and void once the user is disabled or their generation moves."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from casework.db import utcnow
from casework.errors import Unauthorized
from casework.runtime import Runtime
from casework.users.signin import user_for_token


def _serializer(runtime: Runtime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(runtime.settings.secret_key, salt="casework.token")


def issue_token(runtime: Runtime, user) -> tuple[str, datetime]:
    token = _serializer(runtime).dumps({"u": user.id, "g": user.token_generation})
    return token, utcnow() + timedelta(seconds=runtime.settings.token_ttl)


def user_from_request(runtime: Runtime, session):
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
    user = user_for_token(session=session, user_id=data["u"], generation=data.get("g"))
    if user is None:
        raise Unauthorized("token_invalid")
    return user
