"""When a case is due for what: its reminder, its becoming overdue or stalled, each ladder step.

Deadlines are local calendar dates, inclusive: "11月30日前" is overdue from local midnight at the
start of 1 December in the campaign's zone. A state's `time_allowed` runs from when the case
entered it. The ladder counts from whichever came first: becoming overdue or running out of time
in the state. Durations may count working days (calendar.py). Pure: no database, no clock of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from casework.workdays import WorkCalendar
from casework.workflows.definition import WorkflowDefinition

OVERDUE, STALLED = "overdue", "stalled"


@dataclass(frozen=True)
class Facts:
    """What the clock needs of a case."""

    deadline: date | None
    state: str
    state_since: datetime
    escalation_level: int
    closed: bool


@dataclass(frozen=True)
class Due:
    """What a case is due for at `now`, and the next moment anything else falls due."""

    reminder: bool  # remind now (the reminder of this clock is not sent yet)
    level: int  # the highest ladder step reached (0: none); only a higher one than the case's is sent
    reason: str | None  # OVERDUE or STALLED, for the step
    next_at: datetime | None  # when to look at the case again (None: nothing ahead)


def deadline_end(deadline: date, tz: ZoneInfo) -> datetime:
    """The first moment the case is overdue: local midnight after its deadline."""
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def _moments(facts: Facts, definition: WorkflowDefinition, tz: ZoneInfo, calendar: WorkCalendar):
    overdue_at = deadline_end(facts.deadline, tz) if facts.deadline else None
    state = definition.states.get(facts.state)
    stalled_at = (calendar.add(facts.state_since, state.time_allowed, tz)
                  if state is not None and state.time_allowed is not None else None)
    reminder_at = (calendar.cutoff(overdue_at, definition.remind_before, tz)
                   if overdue_at is not None and definition.remind_before is not None else None)
    starts = [(at, reason) for at, reason in ((overdue_at, OVERDUE), (stalled_at, STALLED)) if at is not None]
    ladder_start, reason = min(starts) if starts else (None, None)
    return overdue_at, reminder_at, ladder_start, reason


def due(facts: Facts, definition: WorkflowDefinition, *, tz: ZoneInfo, calendar: WorkCalendar, now: datetime,
        reminded: bool) -> Due:
    """What the case is due for at `now`; `reminded`: this clock's reminder went out already."""
    if facts.closed:
        return Due(False, 0, None, None)
    overdue_at, reminder_at, ladder_start, reason = _moments(facts, definition, tz, calendar)
    steps = [calendar.add(ladder_start, step.after, tz) for step in definition.escalation] if ladder_start else []
    reached = sum(1 for at in steps if at <= now)
    remind = (not reminded and reminder_at is not None and reminder_at <= now
              and (overdue_at is None or now < overdue_at) and reached == 0)
    ahead = []
    if not reminded and not remind and reminder_at is not None and reminder_at > now:
        ahead.append(reminder_at)
    level_now = max(reached, facts.escalation_level)
    if level_now < len(steps):
        ahead.append(steps[level_now])
    return Due(remind, reached, reason, min(ahead) if ahead else None)


def next_look(facts: Facts, definition: WorkflowDefinition, *, tz: ZoneInfo, calendar: WorkCalendar,
              now: datetime, reminded: bool = False) -> datetime | None:
    """When the sweep should next look at the case: now if something is due already."""
    found = due(facts, definition, tz=tz, calendar=calendar, now=now, reminded=reminded)
    if found.reminder or found.level > facts.escalation_level:
        return now
    return found.next_at
