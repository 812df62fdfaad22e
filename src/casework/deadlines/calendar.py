"""The working-day calendar of an install: China's official one plus the overrides in the database."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.deadlines.models import WorkdayOverride
from casework.errors import Unprocessable
from casework.memo import Memo
from casework.text import clean_date
from casework.workdays import WorkCalendar

# Overrides change a few times a year; every process re-reads them at most this often.
REFRESH_SECONDS = 60
_calendars = Memo()


def calendar(*, session: Session) -> WorkCalendar:
    """The calendar with this database's overrides (re-read at most every REFRESH_SECONDS)."""
    cached = _calendars.get(session, "calendar")
    if cached is not None and time.monotonic() - cached[0] < REFRESH_SECONDS:
        return cached[1]
    overrides = dict(session.execute(select(WorkdayOverride.day, WorkdayOverride.is_workday)).all())
    built = WorkCalendar(overrides)
    _calendars.replace(session, "calendar", (time.monotonic(), built))
    return built


def set_day(*, session: Session, day: date | str, is_workday: bool, note: str = "",
            actor_id: int | None = None) -> WorkdayOverride:
    """Say whether `day` is a working day here, whatever the official calendar says."""
    day = clean_date(day, field="day")
    if len(note) > 200:
        raise Unprocessable("invalid_field", field="note", reason_code="text_too_long", max=200)
    override = session.get(WorkdayOverride, day) or WorkdayOverride(day=day)
    override.is_workday, override.note, override.set_by = is_workday, note, actor_id
    session.add(override)
    session.flush()
    _calendars.clear()  # this process sees it at once; others within REFRESH_SECONDS
    return override


def overrides(*, session: Session, year: int | None = None) -> list[WorkdayOverride]:
    query = select(WorkdayOverride).order_by(WorkdayOverride.day)
    if year is not None:
        query = query.where(WorkdayOverride.day >= date(year, 1, 1), WorkdayOverride.day <= date(year, 12, 31))
    return list(session.scalars(query))
