"""Recording changes to units, users and roles, so an auditor can say who granted what, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casework.audit.chain import dumps
from casework.audit.models import AdminLogEntry
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.users.scope import unit_filter


def record(*, session: Session, actor_id: int | None, action: str, target_type: str,
           target_id: int | None, payload: dict[str, Any] | None = None) -> AdminLogEntry:
    """Append one admin log entry in the caller's transaction."""
    entry = AdminLogEntry(actor_id=actor_id, action=action, target_type=target_type,
                          target_id=target_id, payload=dumps(payload or {}))
    session.add(entry)
    return entry


def page(*, session: Session, user: User, target_type: str | None = None, target_id: int | None = None,
         limit: int = 50, before_id: int | None = None) -> list[AdminLogEntry]:
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
