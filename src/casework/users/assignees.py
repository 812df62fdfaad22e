"""Who a case may be given to: the people an `assign` event accepts as its assignee."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.users.scope import can_see, has_role
from casework.vocabulary import Role


def _ancestor_ids(unit: Unit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def fit_for(*, session: Session, unit: Unit, viewer: User) -> list[User]:
    """Active users who may take a case of `unit` — its own `unit` role, or a leader at or above it —
    among those the viewer may see; the unit's own staff first, then by name."""
    holders = select(Membership.user_id).where(or_(
        and_(Membership.role == Role.UNIT.value, Membership.unit_id == unit.id),
        and_(Membership.role == Role.LEADER.value, Membership.unit_id.in_(_ancestor_ids(unit)))))
    found = session.scalars(select(User).where(User.id.in_(holders), User.is_active.is_(True))).all()
    fit = [u for u in found
           if (has_role(u, unit, Role.UNIT.value) or has_role(u, unit, Role.LEADER.value))
           and (u.id == viewer.id or any(can_see(viewer, m.unit) for m in u.memberships))]
    return sorted(fit, key=lambda u: (not has_role(u, unit, Role.UNIT.value), u.display_name, u.id))
