"""Finding a case by the number people quote on the phone (整改编号, e.g. QS-2026-0042)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.cases.permissions import visible_case
from casework.errors import NotFound
from casework.units.models import Unit
from casework.users.models import User


def visible_by_number(*, session: Session, number: str, user: User) -> tuple[Case, Unit]:
    """The case with this number (any case, spaces ignored) if the user may see it; not found otherwise."""
    wanted = number.strip().upper()
    case_id = session.scalar(select(Case.id).where(Case.number == wanted)) if wanted else None
    if case_id is None:
        raise NotFound("case_not_found", ref=wanted or number)
    return visible_case(session=session, case_id=case_id, user=user)
