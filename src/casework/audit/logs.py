"""What auditors read besides case histories: the admin log, in their scope."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casework.trail.models import AdminLogEntry
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
