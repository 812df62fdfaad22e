"""Durations in workflow files, and the working-day calendar (工作日, with China's 调休) they count by.

A duration is `Nd` (calendar days of 24 hours), `Nh` (hours) or `Nwd` (working days). Which days
are working days comes from, in order: the overrides an admin has entered, the official calendar
published by the State Council (through the `chinese_calendar` package), and — for a year the
package does not cover yet — Monday to Friday, with one warning per year in the log.

`WorkCalendar.cutoff` turns "has this case been in its state longer than allowed?" into one
comparison with the time the case entered the state, so a sweep asks the database with an
indexed `entered_at <= :cutoff` rather than looping over cases in Python.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger("casework.workdays")

# Units a duration may be written in: calendar days, hours, working days.
DURATION_UNITS = ("d", "h", "wd")
MAX_DURATION = 9999
# ASCII digits only: a full-width ３d would otherwise parse but never read back the same.
DURATION_PATTERN = re.compile(r"([0-9]+)(d|h|wd)")

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Duration:
    """A whole number of calendar days ("d"), hours ("h") or working days ("wd")."""

    amount: int
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in DURATION_UNITS:
            raise ValueError(f"unknown duration unit {self.unit!r}; expected one of {', '.join(DURATION_UNITS)}")
        if not 0 <= self.amount <= MAX_DURATION:
            raise ValueError(f"a duration must be from 0 to {MAX_DURATION}, not {self.amount}")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def parse_duration(text: str) -> Duration:
    """Read `3d`, `12h` or `3wd`; a ValueError says what to write instead."""
    # Workflow files are untrusted YAML: `time_allowed: 3` arrives as an int, and deserves the
    # same explanation as any other mistake.
    match = DURATION_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a duration; write a whole number of days, hours or working days, "
                         "e.g. 3d, 12h or 3wd")
    amount = int(match.group(1))
    if amount > MAX_DURATION:
        raise ValueError(f"{text!r} is too long; write at most {MAX_DURATION} days, hours or working days, "
                         "e.g. 3d, 12h or 3wd")
    return Duration(amount, match.group(2))


@lru_cache(maxsize=None)
def _official_exceptions(year: int) -> frozenset[date] | None:
    """The days of `year` on which the official calendar departs from Monday to Friday (holidays on
    weekdays, make-up working days on weekends); None when the package has no data for the year.

    Cached for the life of the process, so the warning for a missing year is logged once.
    """
    day = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        log.warning(
            "the official working-day calendar has no data for %s; counting Monday to Friday as "
            "working days, plus the days admins have entered. For a coming year, a newer "
            "chinese-calendar release may have the State Council's holiday arrangements.", year)
        return None
    exceptions = set()
    while day.year == year:
        if chinese_calendar.is_workday(day) != (day.weekday() < 5):
            exceptions.add(day)
        day += _ONE_DAY
    return frozenset(exceptions)


def _as_local(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time would silently be read as the server's local time.
        raise ValueError(f"{moment!r} has no time zone; pass an aware datetime")
    return moment.astimezone(tz)


def _at(day: date, wall: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


class WorkCalendar:
    """Which days are working days, and moments a number of days or working days apart.

    `overrides` maps a date to True (a working day) or False (a day off), beating the official
    calendar: a local holiday, or a make-up day the package has not caught up with.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = {}
        for day, working in (overrides or {}).items():
            # datetime is a date, but never equal to one: its override would silently never apply.
            if not isinstance(day, date) or isinstance(day, datetime):
                raise TypeError(f"working-day overrides are keyed by date, not {type(day).__name__} ({day!r})")
            self._overrides[day] = bool(working)

    def is_workday(self, day: date) -> bool:
        """Override first, then the official calendar, then Monday to Friday."""
        if day in self._overrides:
            return self._overrides[day]
        weekday = day.weekday() < 5
        exceptions = _official_exceptions(day.year)
        if exceptions is None:
            return weekday
        return weekday != (day in exceptions)

    def _next_workday(self, day: date) -> date:
        day += _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def _previous_workday(self, day: date) -> date:
        day -= _ONE_DAY
        while not self.is_workday(day):
            day -= _ONE_DAY
        return day

    def _workdays_after(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self._next_workday(day)
        return day

    def _workdays_before(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self._previous_workday(day)
        return day

    def add(self, start: datetime, duration: Duration, tz: ZoneInfo) -> datetime:
        """The moment `duration` after `start`, in UTC.

        Days and hours are plain elapsed time (3d = 72 hours). Working days count whole local days
        in `tz`: a working day counts in full, a day off not at all, and the result is the first
        moment at which N working days have gone by. So:

        - from a working day, the same wall-clock time on the N-th working day after it
          (Friday 15:00 + 1wd = Monday 15:00, or later if Monday is a holiday);
        - from a day off, counting begins with the next working day, and the time is up at the
          end of the N-th working day (Saturday 10:00 + 1wd = end of Monday, i.e. Tuesday 00:00;
          a case arriving over a weekend or a holiday gets its full working days);
        - from exactly midnight on a working day, the whole day counts, so the time is up at the
          end of the N-th working day (Friday 00:00 + 1wd = end of Friday);
        - 0wd is `start` itself.

        Wall-clock times follow zoneinfo where a zone skips or repeats an hour.
        """
        if duration.unit != "wd":
            _as_local(start, tz)
            return (start + _calendar_delta(duration)).astimezone(UTC)
        local = _as_local(start, tz)
        if duration.amount == 0:
            return local.astimezone(UTC)
        day, wall = local.date(), local.time()
        if self.is_workday(day) and wall != time(0):
            return _at(self._workdays_after(day, duration.amount), wall, tz)
        first = day if self.is_workday(day) else self._next_workday(day)
        last = self._workdays_after(first, duration.amount - 1)
        return _at(last + _ONE_DAY, time(0), tz)

    def cutoff(self, now: datetime, duration: Duration, tz: ZoneInfo) -> datetime:
        """The latest start whose `add(start, duration)` is not after `now`, in UTC.

        A case that entered its state at or before the cutoff has used up `duration` by `now`;
        one that entered later has not.
        """
        if duration.unit != "wd":
            _as_local(now, tz)
            return (now - _calendar_delta(duration)).astimezone(UTC)
        local = _as_local(now, tz)
        if duration.amount == 0:
            return local.astimezone(UTC)
        day, wall = local.date(), local.time()
        if self.is_workday(day):
            # Starting at this wall time N working days earlier ends exactly now.
            return _at(self._workdays_before(day, duration.amount), wall, tz)
        # `now` is on a day off, reached when the last working day ended; the latest start that
        # has run out is the first moment of the working day from which N whole days fit before it.
        return _at(self._workdays_before(self._next_workday(day), duration.amount), time(0), tz)

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days come after `start` up to and including `end`; negative when
        `end` is before `start`. With `start` a deadline, that is how many working days late."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            count += self.is_workday(day)
            day += _ONE_DAY
        return count


def _calendar_delta(duration: Duration) -> timedelta:
    return timedelta(days=duration.amount) if duration.unit == "d" else timedelta(hours=duration.amount)
