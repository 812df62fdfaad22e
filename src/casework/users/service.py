"""Creating users and granting roles."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import admin_log
from casework.errors import Conflict, NotFound, Unprocessable
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.vocabulary import Role
from casework.users.passwords import hash_password

_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 8


def get(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found", ref=user_id)
    return user


def by_username(*, session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def create(*, session: Session, username: str, password: str, display_name: str | None = None,
           memberships: list[tuple[Unit, str]] = (), actor_id: int | None = None) -> User:
    """A new user with the given (unit, role) memberships."""
    if not _USERNAME.match(username):
        raise Unprocessable("invalid_field", field="username", reason="2–64 letters, digits, '_', '.', '@', '-'")
    if len(password) < MIN_PASSWORD:
        raise Unprocessable("invalid_field", field="password", reason=f"at least {MIN_PASSWORD} characters")
    if by_username(session=session, username=username) is not None:
        raise Conflict("duplicate", what="username", value=username)
    user = User(username=username, display_name=display_name or username,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    admin_log.record(session=session, actor_id=actor_id, action="user.create", target_type="user",
                     target_id=user.id, payload={"username": username})
    for unit, role in memberships:
        grant(session=session, user=user, unit=unit, role=role, actor_id=actor_id)
    return user


def grant(*, session: Session, user: User, unit: Unit, role: str, actor_id: int | None = None) -> Membership:
    """Give `user` the role at `unit` (and so over its subtree)."""
    if role not in {r.value for r in Role}:
        raise Unprocessable("invalid_field", field="role", reason=f"one of {', '.join(r.value for r in Role)}")
    for existing in user.memberships:
        if existing.unit_id == unit.id and existing.role == role:
            return existing
    membership = Membership(user=user, unit=unit, role=role)
    session.add(membership)
    session.flush()
    admin_log.record(session=session, actor_id=actor_id, action="role.grant", target_type="user",
                     target_id=user.id, payload={"unit_id": unit.id, "unit_code": unit.code, "role": role})
    return membership


def set_active(*, session: Session, user: User, active: bool, actor_id: int | None = None) -> User:
    """Enable or disable a user; disabling invalidates every token issued so far."""
    user.is_active = active
    user.token_generation += 1
    admin_log.record(session=session, actor_id=actor_id, action="user.enable" if active else "user.disable",
                     target_type="user", target_id=user.id)
    return user


def set_password(*, session: Session, user: User, password: str, actor_id: int | None = None) -> User:
    """A new password; every token issued before it stops working."""
    if len(password) < MIN_PASSWORD:
        raise Unprocessable("invalid_field", field="password", reason=f"at least {MIN_PASSWORD} characters")
    user.password_hash = hash_password(password)
    user.token_generation += 1
    admin_log.record(session=session, actor_id=actor_id, action="user.password", target_type="user",
                     target_id=user.id)
    return user
