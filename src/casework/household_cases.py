"""A household's cases, as someone reading the household may see them.

It sits above both domain packages: a case names its household (the cases package imports
households), so the households package cannot read cases itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter


def of_household(*, session: Session, user: User, household_id: int) -> list[dict[str, Any]]:
    """The cases naming the household, in the user's scope, oldest first: id, number, title, state."""
    rows = session.execute(select(Case.id, Case.number, Case.title, Case.state)
                           .join(Unit, Unit.id == Case.unit_id)
                           .where(Case.household_id == household_id, unit_filter(user)).order_by(Case.id))
    return [dict(row._mapping) for row in rows]
