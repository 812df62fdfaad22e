"""What auditors read besides case histories: the admin log and the access log, in their scope."""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from casework.trail.models import AccessLogEntry, AdminLogEntry
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.users.scope import unit_filter


def admin_log_page(*, session: Session, user: User, target_type: str | None = None,
                   target_id: int | None = None, limit: int = 50,
                   before_id: int | None = None) -> list[AdminLogEntry]:
    """Newest first: entries about units in the user's scope, and about users who hold a role there."""
    in_scope = or_(
        and_(AdminLogEntry.target_type == "unit",
             AdminLogEntry.target_id.in_(select(Unit.id).where(unit_filter(user)))),
        and_(AdminLogEntry.target_type == "user",
             AdminLogEntry.target_id.in_(select(Membership.user_id).join(Unit, Unit.id == Membership.unit_id)
                                         .where(unit_filter(user)))),
    )
    query = select(AdminLogEntry).where(in_scope)
    if target_type is not None:
        query = query.where(AdminLogEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AdminLogEntry.target_id == target_id)
    if before_id is not None:
        query = query.where(AdminLogEntry.id < before_id)
    return list(session.scalars(query.order_by(AdminLogEntry.id.desc()).limit(limit)))


def _users_in_scope(user: User):
    return select(Membership.user_id).join(Unit, Unit.id == Membership.unit_id).where(unit_filter(user))


def access_log_page(*, session: Session, user: User, action: str | None = None, actor_id: int | None = None,
                    limit: int = 50, before_id: int | None = None) -> list[AccessLogEntry]:
    """Newest first: what people in the user's scope did or had done to them (sign-ins, exports,
    full reads); attempts naming nobody who exists only to those who see the whole tree."""
    sees_root = session.scalars(select(Unit.id).where(Unit.parent_id.is_(None), unit_filter(user))).first()
    in_scope = or_(
        AccessLogEntry.actor_id.in_(_users_in_scope(user)),
        and_(AccessLogEntry.target_type == "user", AccessLogEntry.target_id.in_(_users_in_scope(user))),
        and_(AccessLogEntry.actor_id.is_(None), AccessLogEntry.target_id.is_(None))
        if sees_root else false(),
    )
    query = select(AccessLogEntry).where(in_scope)
    if action is not None:
        query = query.where(AccessLogEntry.action == action)
    if actor_id is not None:
        query = query.where(AccessLogEntry.actor_id == actor_id)
    if before_id is not None:
        query = query.where(AccessLogEntry.id < before_id)
    return list(session.scalars(query.order_by(AccessLogEntry.id.desc()).limit(limit)))
