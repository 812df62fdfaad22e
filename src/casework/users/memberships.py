"""Staff changes: setting the roles a user holds, and where — which is also how someone moves to
another unit (the same role, granted at the new unit, revoked at the old one).

Each grant and revocation is its own entry in the admin log, so "who took this person's leader
role away, and when" has an answer like "who gave it".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.errors import Forbidden, Unprocessable
from casework.trail import admin_log
from casework.units.models import Unit
from casework.users import service
from casework.users.models import User
from casework.users.scope import is_admin_over
from casework.vocabulary import ROLES


def set_roles(*, session: Session, user: User, memberships: list[tuple[Unit, str]], actor: User) -> User:
    """Make the user hold exactly these (unit, role) pairs: grant what is new, revoke what is gone.

    The actor must be an admin over every unit whose role changes, and nobody changes their own
    roles (an admin could not undo taking their own admin role away). So the whole tree always
    keeps an admin: whoever takes that role from someone at the root holds it there themselves.
    """
    if user.id == actor.id:
        raise Forbidden("cannot_change_own_roles")
    if not memberships:
        raise Unprocessable("invalid_field", field="memberships", reason_code="memberships_empty")
    for _unit, role in memberships:
        if role not in ROLES:
            raise Unprocessable("invalid_field", field="role", reason_code="role_unknown",
                                roles=", ".join(sorted(ROLES)))
    wanted = {(unit.id, role) for unit, role in memberships}
    held = {(m.unit_id, m.role): m for m in user.memberships}
    revoked = [m for key, m in held.items() if key not in wanted]
    granted = [(unit, role) for unit, role in dict.fromkeys(memberships) if (unit.id, role) not in held]
    if not all(is_admin_over(actor, unit) for unit in [m.unit for m in revoked] + [u for u, _ in granted]):
        raise Forbidden("forbidden")
    for membership in revoked:
        admin_log.record(session=session, actor_id=actor.id, action="role.revoke", target_type="user",
                         target_id=user.id, payload={"unit_id": membership.unit_id,
                                                     "unit_code": membership.unit.code, "role": membership.role})
        user.memberships.remove(membership)
    session.flush()
    for unit, role in granted:
        service.grant(session=session, user=user, unit=unit, role=role, actor_id=actor.id)
    session.refresh(user, ["memberships"])
    return user
