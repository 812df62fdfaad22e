"""Creating users, granting roles, and changing a user's name, password or standing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import Conflict, Forbidden, Unprocessable
from casework.limits import USERNAME
from casework.trail import admin_log
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.users.mobile import masked as masked_mobile
from casework.users.mobile import normalise as normalise_mobile
from casework.users.password_rules import DEFAULT_POLICY, PasswordPolicy
from casework.users.passwords import hash_password
from casework.users.system import SYSTEM_USERNAME
from casework.vocabulary import ROLES, Role


def by_username(*, session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def every_user(*, session: Session) -> list[User]:
    """Every person with an account, oldest first (for operators; the system actor is nobody's)."""
    return list(session.scalars(select(User).where(User.username != SYSTEM_USERNAME).order_by(User.id)))


def check_password(password: str, *, username: str, policy: PasswordPolicy) -> None:
    """Refuse a password that breaks the rules, saying which rule."""
    problem = policy.problem(password, username=username)
    if problem:
        raise Unprocessable("invalid_field", field="password", reason_code=problem,
                            min_length=policy.min_length, classes=policy.classes)


def create(*, session: Session, username: str, password: str, display_name: str | None = None,
           memberships: list[tuple[Unit, str]] = (), actor_id: int | None = None,
           policy: PasswordPolicy = DEFAULT_POLICY) -> User:
    """A new user with the given (unit, role) memberships."""
    if not USERNAME.match(username):
        raise Unprocessable("invalid_field", field="username", reason_code="username_invalid")
    check_password(password, username=username, policy=policy)
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
    if role not in ROLES:
        raise Unprocessable("invalid_field", field="role", reason_code="role_unknown", roles=", ".join(sorted(ROLES)))
    for existing in user.memberships:
        if existing.unit_id == unit.id and existing.role == role:
            return existing
    membership = Membership(user=user, unit=unit, role=role)
    session.add(membership)
    session.flush()
    admin_log.record(session=session, actor_id=actor_id, action="role.grant", target_type="user",
                     target_id=user.id, payload={"unit_id": unit.id, "unit_code": unit.code, "role": role})
    return membership


def rename(*, session: Session, user: User, display_name: str, actor_id: int | None = None) -> User:
    """Change the name people see; the admin log keeps the old one."""
    if display_name != user.display_name:
        admin_log.record(session=session, actor_id=actor_id, action="user.rename", target_type="user",
                         target_id=user.id, payload={"from": user.display_name, "to": display_name})
        user.display_name = display_name
    return user


def _leaves_no_root_admin(session: Session, user: User) -> bool:
    root = session.scalars(select(Unit).where(Unit.parent_id.is_(None)).limit(1)).first()
    if root is None:
        return False
    others = session.scalars(
        select(User.id).join(Membership, Membership.user_id == User.id)
        .where(Membership.unit_id == root.id, Membership.role == Role.ADMIN.value, User.is_active.is_(True),
               User.id != user.id).limit(1)
    ).first()
    holds_root_admin = any(m.unit_id == root.id and m.role == Role.ADMIN.value for m in user.memberships)
    return holds_root_admin and others is None


def set_active(*, session: Session, user: User, active: bool, actor_id: int | None = None) -> User:
    """Enable or disable a user; disabling invalidates every token issued so far.

    Nobody disables themselves, and the last active admin over the whole tree stays: otherwise
    nobody could administer the install any more.
    """
    if not active and actor_id == user.id:
        raise Forbidden("cannot_disable_self")
    if not active and _leaves_no_root_admin(session, user):
        raise Conflict("last_admin")
    user.is_active = active
    user.token_generation += 1
    admin_log.record(session=session, actor_id=actor_id, action="user.enable" if active else "user.disable",
                     target_type="user", target_id=user.id)
    return user


def set_password(*, session: Session, user: User, password: str, actor_id: int | None = None,
                 policy: PasswordPolicy = DEFAULT_POLICY) -> User:
    """A new password that meets the rules; every token issued before it stops working."""
    check_password(password, username=user.username, policy=policy)
    user.password_hash = hash_password(password)
    user.token_generation += 1
    user.must_change_password = False
    admin_log.record(session=session, actor_id=actor_id, action="user.password", target_type="user",
                     target_id=user.id)
    return user


def set_mobile(*, session: Session, user: User, mobile: str | None, actor_id: int | None = None) -> User:
    """Set the mobile group robots @mention the user by (None clears it); the admin log keeps only
    its last four digits."""
    value = normalise_mobile(mobile) if mobile else None
    if value != user.mobile:
        admin_log.record(session=session, actor_id=actor_id, action="user.mobile", target_type="user",
                         target_id=user.id, payload={"mobile": masked_mobile(value)})
        user.mobile = value
    return user
