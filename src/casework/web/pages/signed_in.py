"""Who is signed in to the pages: a user id and token generation in Flask's signed session cookie.

Disabling a user or changing their password moves their token generation, which voids every
session made before, as it voids bearer tokens.
"""

from __future__ import annotations

from flask import has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

from casework.errors import Unauthorized
from casework.i18n import LANGUAGES
from casework.users.signin import user_for_token

USER, GENERATION, LANGUAGE = "uid", "gen", "lang"


def remember(user) -> None:
    """Start a fresh session for `user`: nothing of the old cookie survives but the language."""
    language = session.get(LANGUAGE)
    session.clear()
    session.permanent = True
    session[USER], session[GENERATION] = user.id, user.token_generation
    if language in LANGUAGES:
        session[LANGUAGE] = language


def forget() -> None:
    """End the session (the language chosen stays)."""
    language = session.get(LANGUAGE)
    session.clear()
    if language in LANGUAGES:
        session[LANGUAGE] = language


def signed_in_id() -> int | None:
    value = session.get(USER)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def user_from_session(runtime, db_session):
    """The user the session cookie names, if it is still good; Unauthorized otherwise."""
    user_id = signed_in_id()
    if user_id is None:
        raise Unauthorized("auth_required")
    user = user_for_token(session=db_session, user_id=user_id, generation=session.get(GENERATION))
    if user is None:
        forget()
        raise Unauthorized("page_session_ended")
    return user


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)
