"""Reading cases: lists with filters and keyset paging, and a case as people see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from casework.campaigns import zones
from casework.campaigns.models import Campaign
from casework.cases.models import Case
from casework.cases.service import allowed_events, definition_of
from casework.errors import BadRequest
from casework.trail.models import CaseEvent
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter

# Cases without a deadline sort after every dated one, on SQLite and PostgreSQL alike.
_NO_DEADLINE = date(9999, 12, 31)


def today(tz: ZoneInfo) -> date:
    """The calendar date now in a time zone."""
    return datetime.now(tz).date()


class Calendar:
    """Today in each campaign's own time zone: deadlines are local calendar dates, inclusive."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def zone_of(self, campaign_id: int) -> ZoneInfo:
        return zones.zone_of(session=self._session, campaign_id=campaign_id)

    def today_for(self, campaign_id: int) -> date:
        return today(self.zone_of(campaign_id))

    def overdue(self) -> ColumnElement[bool]:
        """SQL: the case's deadline has passed in its campaign's zone and it is not closed."""
        zones = self._session.scalars(select(Campaign.timezone).distinct()).all()
        passed = or_(false(), *(and_(Campaign.timezone == zone, Case.deadline < today(ZoneInfo(zone)))
                                for zone in zones))
        return and_(Case.deadline.is_not(None), Case.closed_at.is_(None), passed)


def is_overdue(case: Case, on: date) -> bool:
    """Late: the deadline (a local date, inclusive) has passed and the case is still open."""
    return case.deadline is not None and case.deadline < on and case.closed_at is None


@dataclass(frozen=True)
class CaseFilters:
    state: str | None = None
    unit_id: int | None = None
    campaign_id: int | None = None
    assignee_id: int | None = None
    overdue: bool | None = None
    q: str | None = None
    source: str | None = None
    category: str | None = None
    household_id: int | None = None
    item_id: int | None = None


SORTS: dict[str, tuple[Any, bool]] = {
    # name: (column expression, descending)
    "-created_at": (Case.created_at, True),
    "created_at": (Case.created_at, False),
    "deadline": (func.coalesce(Case.deadline, literal(_NO_DEADLINE)), False),
    "-updated_at": (Case.updated_at, True),
    "number": (Case.number, False),
}


def _key_value(case: Case, sort: str) -> Any:
    if sort in ("-created_at", "created_at"):
        return case.created_at.isoformat()
    if sort == "-updated_at":
        return case.updated_at.isoformat()
    if sort == "deadline":
        return (case.deadline or _NO_DEADLINE).isoformat()
    return case.number


def _parse_key(sort: str, value: Any) -> Any:
    if sort in ("-created_at", "created_at", "-updated_at"):
        return datetime.fromisoformat(value)
    if sort == "deadline":
        return date.fromisoformat(value)
    return value


def filtered(session: Session, user: User | None, filters: CaseFilters) -> Select:
    """The cases matching `filters` in the user's scope (every case for None: an operator)."""
    query = select(Case).join(Unit, Unit.id == Case.unit_id).join(Campaign, Campaign.id == Case.campaign_id)
    if user is not None:
        query = query.where(unit_filter(user))
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.unit_id:
        top = session.get(Unit, filters.unit_id)
        # A unit outside the caller's scope simply matches nothing (no hint that it exists).
        query = query.where(Unit.path.startswith(top.path, autoescape=True) if top else literal(False))
    if filters.campaign_id:
        query = query.where(Case.campaign_id == filters.campaign_id)
    if filters.assignee_id:
        query = query.where(Case.assignee_id == filters.assignee_id)
    if filters.source:
        query = query.where(Case.source == filters.source)
    if filters.category:
        query = query.where(Case.category == filters.category)
    if filters.household_id:
        query = query.where(Case.household_id == filters.household_id)
    if filters.item_id:
        query = query.where(Case.item_id == filters.item_id)
    if filters.overdue is not None:
        late = Calendar(session).overdue()
        query = query.where(late if filters.overdue else ~late)
    if filters.q:
        pattern = filters.q
        query = query.where(or_(Case.number.icontains(pattern, autoescape=True),
                                Case.title.icontains(pattern, autoescape=True),
                                Case.description.icontains(pattern, autoescape=True),
                                Case.village.icontains(pattern, autoescape=True)))
    return query


def list_cases(*, session: Session, user: User, filters: CaseFilters, sort: str, limit: int,
               after: list[Any] | None) -> tuple[list[Case], list[Any] | None]:
    """One page of the cases the user may see, and the keys to continue after (None at the end)."""
    column, descending = SORTS[sort]
    query = filtered(session, user, filters)
    if after is not None:
        try:
            value, last_id = _parse_key(sort, after[0]), int(after[1])
        except (ValueError, TypeError, IndexError):
            raise BadRequest("bad_cursor")
        # A row comparison, which an index on (sort key, id) answers by seeking to the key.
        key, seen = tuple_(column, Case.id), tuple_(value, last_id)
        query = query.where(key < seen if descending else key > seen)
    order = (column.desc(), Case.id.desc()) if descending else (column.asc(), Case.id.asc())
    rows = list(session.scalars(query.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, [_key_value(rows[-1], sort), rows[-1].id]


def describe(*, session: Session, case: Case, calendar: Calendar, actor: User | None = None,
             unit: Unit | None = None) -> dict[str, Any]:
    """The case as the API shows it; with `actor`, also what that user may do next.

    Costs no query of its own for a list (workflow versions and time zones are cached in the
    process); with `actor`, at most one (who fired what, for separation of duties).
    """
    definition = definition_of(session=session, case=case)
    state = definition.states.get(case.state)
    data = {
        column: getattr(case, column)
        for column in ("id", "number", "campaign_id", "item_id", "unit_id", "assignee_id", "title",
                       "description", "village", "household_id", "source", "category", "severity", "deadline", "state", "version",
                       "self_inspection", "escalation_level", "event_count", "closed_at", "created_at",
                       "updated_at")
    }
    data["state_label"] = state.label if state else case.state
    data["workflow"] = {"key": case.workflow_key, "version": case.workflow_version}
    data["overdue"] = is_overdue(case, calendar.today_for(case.campaign_id))
    if actor is not None:
        unit = unit or session.get(Unit, case.unit_id)
        data["allowed_events"] = allowed_events(session=session, case=case, unit=unit, actor=actor)
    return data


def history(*, session: Session, case: Case) -> list[CaseEvent]:
    """Every event of the case, oldest first."""
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))
