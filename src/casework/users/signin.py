"""Signing in: the password check and the per-user backoff, counted so parallel guesses gain nothing.

An attempt is counted before the slow hash, in a transaction of its own that the caller commits
(`begin`), and settled after it (`finish`). The count is one atomic UPDATE under the row's lock, and
the lock that the fifth failure sets is decided before any hashing, so 48 guesses sent 16 at a
time check exactly as many passwords as 48 sent one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload

from casework.db import utcnow
from casework.errors import TooManyRequests, Unauthorized
from casework.users.models import User
from casework.users.password_rules import DEFAULT_POLICY, PasswordPolicy
from casework.users.passwords import verify_password

FREE_ATTEMPTS = 5
MAX_BACKOFF = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """One counted sign-in attempt: whose (None for an unknown username) and its number."""

    user_id: int | None
    number: int


def _backoff(number: int) -> timedelta:
    # The fifth failure waits 1 s, each further one twice as long, up to a quarter of an hour.
    return min(timedelta(seconds=2 ** (number - FREE_ATTEMPTS)), MAX_BACKOFF)


def _retry_after(locked_until: datetime, now: datetime) -> int:
    return int((locked_until - now).total_seconds()) + 1


def user_id_of(*, session: Session, username: str) -> int | None:
    """The id behind a username, if anyone has it."""
    return session.scalars(select(User.id).where(User.username == username)).first()


def begin(*, session: Session, username: str) -> Attempt:
    """Count an attempt at `username` before its password is checked; 429 while the user must wait."""
    now = utcnow()
    user_id = user_id_of(session=session, username=username)
    if user_id is None:
        return Attempt(None, 0)
    number = session.execute(
        update(User).where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
    ).scalar()
    if number is None:
        locked_until = session.scalars(select(User.locked_until).where(User.id == user_id)).one()
        raise TooManyRequests("login_backoff", retry_after=_retry_after(locked_until, now))
    if number >= FREE_ATTEMPTS:
        # Still under the row lock the UPDATE took: the next attempt sees this wait.
        session.execute(update(User).where(User.id == user_id).values(locked_until=now + _backoff(number)))
    return Attempt(user_id, number)


def finish(*, session: Session, attempt: Attempt, password: str,
           policy: PasswordPolicy = DEFAULT_POLICY) -> User:
    """The user if the password is right (their count starts afresh); 401 otherwise.

    A right password that no longer meets the rules marks the user to change it before anything else.
    """
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    # Unknown users cost a hash too, so timing does not say which usernames exist.
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise Unauthorized("bad_credentials")
    must_change = user.must_change_password or policy.problem(password, username=user.username) is not None
    session.execute(update(User).where(User.id == user.id)
                    .values(failed_logins=0, locked_until=None, must_change_password=must_change))
    session.refresh(user)
    return user


def user_for_token(*, session: Session, user_id: int, generation: object) -> User | None:
    """The user a token names, if it is still good: active, and issued since their last change."""
    # One query with the memberships joined (a request needs them for every scope check).
    user = session.get(User, user_id, options=[joinedload(User.memberships)])
    if user is None or not user.is_active or user.token_generation != generation:
        return None
    return user
