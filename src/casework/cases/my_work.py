""""My work": the open cases a person should act on, the most pressing first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, false, func, literal, or_, select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.cases.queries import Calendar
from casework.cases.service import allowed_events, definition_of
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter
from casework.vocabulary import Role

OVERDUE, THIS_WEEK, LATER = "overdue", "this_week", "later"
BUCKETS = (OVERDUE, THIS_WEEK, LATER)
WEEK_DAYS = 7  # "due this week": the deadline falls within the next seven days, today included
# A person's open cases number in the tens; past this many the leader's case list is the tool.
MY_WORK_MAX = 200
_NO_DEADLINE = date(9999, 12, 31)


@dataclass(frozen=True)
class WorkItem:
    case: Case
    unit: Unit
    state_label: str
    bucket: str  # overdue, this_week or later
    days: int | None  # days late when overdue, else days left; None without a deadline
    allowed: tuple[str, ...]  # the events the user may fire on it now


def bucket_of(deadline: date | None, today: date) -> tuple[str, int | None]:
    """Which group a deadline puts an open case in, and how many days late or left."""
    if deadline is None:
        return LATER, None
    if deadline < today:
        return OVERDUE, (today - deadline).days
    left = (deadline - today).days
    return (THIS_WEEK if left < WEEK_DAYS else LATER), left


def my_cases(*, session: Session, user: User, limit: int = MY_WORK_MAX) -> list[WorkItem]:
    """The user's open cases: those assigned to them, and those without an assignee at the units
    where they hold the `unit` role; overdue first, then due within a week, then the rest, each
    group by deadline (deadlines are local dates in each campaign's time zone)."""
    own_units = sorted({m.unit_id for m in user.memberships if m.role == Role.UNIT.value})
    unassigned = and_(Case.assignee_id.is_(None), Case.unit_id.in_(own_units)) if own_units else false()
    rows = session.execute(
        select(Case, Unit).join(Unit, Unit.id == Case.unit_id)
        .where(Case.closed_at.is_(None), or_(Case.assignee_id == user.id, unassigned), unit_filter(user))
        .order_by(func.coalesce(Case.deadline, literal(_NO_DEADLINE)), Case.id).limit(limit)
    ).all()
    calendar = Calendar(session)
    items = []
    for case, unit in rows:
        bucket, days = bucket_of(case.deadline, calendar.today_for(case.campaign_id))
        state = definition_of(session=session, case=case).states.get(case.state)
        allowed = allowed_events(session=session, case=case, unit=unit, actor=user)
        items.append(WorkItem(case, unit, state.label if state else case.state, bucket, days, tuple(allowed)))
    # The query sorted by deadline; a stable sort by group keeps that order inside each group.
    return sorted(items, key=lambda item: BUCKETS.index(item.bucket))
