"""Who may see a case and fire its events, as small named checks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.errors import NotFound
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import can_see, has_role
from casework.vocabulary import Role
from casework.workflows.definition import EventDef


_UNITS_SEEN = "casework.units_seen"


def visible_case(*, session: Session, case_id: int, user: User) -> tuple[Case, Unit]:
    """The case and its unit if the user may see it; otherwise not found (never forbidden)."""
    found = session.execute(select(Case, Unit).join(Unit, Unit.id == Case.unit_id)
                            .where(Case.id == case_id)).first() if case_id else None
    case, unit = found if found else (None, None)
    if case is None or not can_see(user, unit):
        raise NotFound("case_not_found", ref=case_id)
    # The session's identity map holds objects weakly: kept here, the unit is still there when the
    # case is described after a change (its allowed events), instead of being read again.
    session.info.setdefault(_UNITS_SEEN, []).append(unit)
    return case, unit


def may_fire(user: User, unit: Unit, event: EventDef) -> bool:
    """Whether one of the user's roles (qualified by unit kind where the workflow says so) fits."""
    return any(has_role(user, unit, spec) for spec in event.roles)


def may_work(user: User, unit: Unit) -> bool:
    """Whether the user works the unit's cases: its own `unit` role, or a leader over it (who may
    attach evidence and withdraw it too)."""
    return has_role(user, unit, Role.UNIT.value) or has_role(user, unit, Role.LEADER.value)


def may_open(user: User, unit: Unit) -> tuple[bool, bool]:
    """(may open a case for this unit, it counts as the unit's own self-inspection)."""
    if has_role(user, unit, Role.LEADER.value):
        return True, False
    if has_role(user, unit, Role.UNIT.value):
        return True, True
    return False, False
