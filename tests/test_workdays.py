"""Durations and working days: what a workflow file may say, and when a time limit runs out.

The 调休 dates are the State Council's: National Day 2025 (1–8 October off, Sunday 28 September
and Saturday 11 October worked) and Spring Festival 2026 (15–23 February off, Saturday 14 and
Saturday 28 February worked).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework import workdays
from casework.workdays import Duration, WorkCalendar, parse_duration

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar()


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


# --- parsing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, amount, unit", [
    ("3d", 3, "d"), ("12h", 12, "h"), ("3wd", 3, "wd"), ("0d", 0, "d"), ("9999wd", 9999, "wd"),
])
def test_a_duration_reads_back_as_written(text, amount, unit):
    duration = parse_duration(text)
    assert duration == Duration(amount, unit)
    assert str(duration) == text


def test_leading_zeros_are_read_and_written_plainly():
    assert str(parse_duration("05wd")) == "5wd"


@pytest.mark.parametrize("text", [
    "", "3", "d", "wd", "3 d", " 3d", "3d\n", "3D", "3WD", "-1d", "1.5d", "3w", "3days", "3天", "３d", 3, None,
])
def test_a_mistyped_duration_says_what_to_write(text):
    with pytest.raises(ValueError) as refused:
        parse_duration(text)
    assert str(refused.value) == (f"{text!r} is not a duration; write a whole number of days, hours or "
                                  "working days, e.g. 3d, 12h or 3wd")


def test_a_duration_over_9999_says_the_limit():
    with pytest.raises(ValueError, match=r"'10000d' is too long; write at most 9999 days"):
        parse_duration("10000d")


def test_a_duration_cannot_be_built_with_another_unit():
    with pytest.raises(ValueError, match="unknown duration unit 'w'"):
        Duration(3, "w")


# --- the calendar ----------------------------------------------------------------------------

def test_national_day_2025_is_off_and_its_make_up_weekend_days_are_worked():
    assert CALENDAR.is_workday(date(2025, 9, 28))    # Sunday, worked
    assert CALENDAR.is_workday(date(2025, 10, 11))   # Saturday, worked
    assert not CALENDAR.is_workday(date(2025, 10, 12))  # Sunday, off as usual
    off = [date(2025, 10, d) for d in range(1, 9)]   # Wednesday to the next Wednesday
    assert not any(CALENDAR.is_workday(day) for day in off)
    assert CALENDAR.is_workday(date(2025, 10, 9))


def test_spring_festival_2026_is_off_and_its_make_up_saturdays_are_worked():
    assert CALENDAR.is_workday(date(2026, 2, 14))
    assert CALENDAR.is_workday(date(2026, 2, 28))
    assert not any(CALENDAR.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert CALENDAR.is_workday(date(2026, 2, 24))


def test_an_admins_override_beats_the_official_calendar():
    calendar = WorkCalendar({
        date(2025, 10, 11): False,  # the make-up Saturday, given off locally
        date(2025, 10, 8): True,    # the last day of the holiday, worked locally
        date(2025, 6, 13): False,   # an ordinary Friday, a local holiday
    })
    assert not calendar.is_workday(date(2025, 10, 11))
    assert calendar.is_workday(date(2025, 10, 8))
    assert not calendar.is_workday(date(2025, 6, 13))
    # Thursday 9 October + 2 working days: Friday 10, then (Saturday 11 off) Monday 13.
    assert local(calendar.add(shanghai(2025, 10, 9, 10), Duration(2, "wd"), SHANGHAI)) == shanghai(2025, 10, 13, 10)
    assert local(CALENDAR.add(shanghai(2025, 10, 9, 10), Duration(2, "wd"), SHANGHAI)) == shanghai(2025, 10, 11, 10)


def test_overrides_must_be_keyed_by_date():
    with pytest.raises(TypeError, match="keyed by date, not datetime"):
        WorkCalendar({datetime(2025, 10, 11): False})


@pytest.fixture
def fresh_official_calendar():
    # The warning for a missing year is logged once per process; start each such test afresh.
    workdays._official_exceptions.cache_clear()
    yield
    workdays._official_exceptions.cache_clear()


def test_a_year_without_official_data_counts_monday_to_friday_and_warns_once(fresh_official_calendar, caplog):
    caplog.set_level(logging.WARNING, logger="casework.workdays")
    calendar = WorkCalendar({date(2027, 1, 1): False})
    # 1 January 2027 is a Friday: the package does not know it is New Year's Day, the admin does.
    assert not calendar.is_workday(date(2027, 1, 1))
    assert not CALENDAR.is_workday(date(2027, 1, 2))  # Saturday
    assert CALENDAR.is_workday(date(2027, 1, 1))      # without the override, a plain Friday
    assert [CALENDAR.is_workday(date(2027, 2, d)) for d in range(1, 8)] == [True] * 5 + [False] * 2
    # Thursday 31 December 2026 + 1 working day: Friday 1 January 2027, or Monday 4 with the override.
    assert local(CALENDAR.add(shanghai(2026, 12, 31, 9), Duration(1, "wd"), SHANGHAI)) == shanghai(2027, 1, 1, 9)
    assert local(calendar.add(shanghai(2026, 12, 31, 9), Duration(1, "wd"), SHANGHAI)) == shanghai(2027, 1, 4, 9)
    warnings = [r for r in caplog.records if r.name == "casework.workdays"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()


def test_a_covered_year_logs_nothing(fresh_official_calendar, caplog):
    caplog.set_level(logging.WARNING, logger="casework.workdays")
    assert CALENDAR.is_workday(date(2026, 12, 31))
    assert caplog.records == []


# --- adding durations ------------------------------------------------------------------------

FRIDAY_3PM = shanghai(2025, 6, 13, 15)  # an ordinary week, no holidays near


def test_calendar_days_and_hours_are_elapsed_time():
    assert local(CALENDAR.add(FRIDAY_3PM, Duration(3, "d"), SHANGHAI)) == shanghai(2025, 6, 16, 15)
    assert local(CALENDAR.add(FRIDAY_3PM, Duration(12, "h"), SHANGHAI)) == shanghai(2025, 6, 14, 3)
    assert CALENDAR.add(FRIDAY_3PM, Duration(0, "d"), SHANGHAI) == FRIDAY_3PM


def test_working_days_skip_the_weekend():
    assert local(CALENDAR.add(FRIDAY_3PM, Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 6, 16, 15)
    assert local(CALENDAR.add(FRIDAY_3PM, Duration(3, "wd"), SHANGHAI)) == shanghai(2025, 6, 18, 15)


def test_the_result_is_in_utc():
    result = CALENDAR.add(FRIDAY_3PM, Duration(1, "wd"), SHANGHAI)
    assert result.tzinfo is UTC
    assert result == datetime(2025, 6, 16, 7, tzinfo=UTC)


def test_a_start_on_a_day_off_counts_from_the_next_working_day():
    saturday = shanghai(2025, 6, 14, 10)
    # The whole of Monday counts: the time is up at the end of Monday.
    assert local(CALENDAR.add(saturday, Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 6, 17, 0)
    assert local(CALENDAR.add(saturday, Duration(3, "wd"), SHANGHAI)) == shanghai(2025, 6, 19, 0)


def test_a_start_at_midnight_counts_that_whole_day():
    assert local(CALENDAR.add(shanghai(2025, 6, 13), Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 6, 14)
    assert local(CALENDAR.add(shanghai(2025, 6, 13), Duration(2, "wd"), SHANGHAI)) == shanghai(2025, 6, 17)


def test_no_working_days_is_the_start_itself_even_on_a_day_off():
    saturday = shanghai(2025, 6, 14, 10)
    assert CALENDAR.add(saturday, Duration(0, "wd"), SHANGHAI) == saturday


def test_working_days_across_national_day_2025():
    # Friday 26 September + 1 working day lands on the make-up Sunday.
    assert local(CALENDAR.add(shanghai(2025, 9, 26, 15), Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 9, 28, 15)
    # Tuesday 30 September + 1 working day skips the eight days off.
    assert local(CALENDAR.add(shanghai(2025, 9, 30, 15), Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 10, 9, 15)
    # A case arriving on 1 October has all of 9 October to work with.
    assert local(CALENDAR.add(shanghai(2025, 10, 1, 9), Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 10, 10)


def test_working_days_across_spring_festival_2026():
    start = shanghai(2026, 2, 13, 9)
    # Two calendar days end on the first day of the holiday; two working days are the make-up
    # Saturday and the first day back.
    assert local(CALENDAR.add(start, Duration(2, "d"), SHANGHAI)) == shanghai(2026, 2, 15, 9)
    assert local(CALENDAR.add(start, Duration(2, "wd"), SHANGHAI)) == shanghai(2026, 2, 24, 9)


def test_working_days_are_counted_in_the_campaigns_time_zone():
    # Sunday 17:00 UTC is already Monday 01:00 in Shanghai.
    start = datetime(2025, 6, 15, 17, tzinfo=UTC)
    assert CALENDAR.add(start, Duration(1, "wd"), SHANGHAI) == datetime(2025, 6, 16, 17, tzinfo=UTC)
    # Counted in UTC, the start is on a Sunday: the time is up at the end of Monday, UTC.
    assert CALENDAR.add(start, Duration(1, "wd"), ZoneInfo("UTC")) == datetime(2025, 6, 17, tzinfo=UTC)


def test_the_day_after_national_day_at_midnight_in_shanghai_is_still_30_september_in_utc():
    # 1 October 00:30 Shanghai is 30 September 16:30 UTC: a working day in UTC, a holiday in Shanghai.
    start = datetime(2025, 9, 30, 16, 30, tzinfo=UTC)
    assert local(CALENDAR.add(start, Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 10, 10)
    assert CALENDAR.add(start, Duration(1, "wd"), ZoneInfo("UTC")) == datetime(2025, 10, 9, 16, 30, tzinfo=UTC)


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="has no time zone"):
        CALENDAR.add(datetime(2025, 6, 13, 15), Duration(1, "wd"), SHANGHAI)
    with pytest.raises(ValueError, match="has no time zone"):
        CALENDAR.cutoff(datetime(2025, 6, 13, 15), Duration(1, "d"), SHANGHAI)


# --- cutoffs ---------------------------------------------------------------------------------

def test_cutoff_for_calendar_units_is_plain_subtraction():
    now = shanghai(2025, 6, 16, 10)
    assert CALENDAR.cutoff(now, Duration(3, "d"), SHANGHAI) == now - timedelta(days=3)
    assert CALENDAR.cutoff(now, Duration(12, "h"), SHANGHAI) == now - timedelta(hours=12)


def test_cutoff_for_working_days():
    # On Monday at 10:00, a case with one working day has run out if it came in by Friday 10:00.
    assert local(CALENDAR.cutoff(shanghai(2025, 6, 16, 10), Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 6, 13, 10)
    # Over the weekend, only a case that had the whole of Friday has run out; one that came in
    # on Friday morning has until Monday morning.
    assert local(CALENDAR.cutoff(shanghai(2025, 6, 14, 10), Duration(1, "wd"), SHANGHAI)) == shanghai(2025, 6, 13)
    # On 9 October 2025 at 10:00, three working days back (30, 29, 28 September) is the make-up Sunday.
    assert local(CALENDAR.cutoff(shanghai(2025, 10, 9, 10), Duration(3, "wd"), SHANGHAI)) == shanghai(2025, 9, 28, 10)


def test_a_case_is_overdue_exactly_when_it_entered_by_the_cutoff():
    now = shanghai(2025, 10, 9, 10)
    cutoff = CALENDAR.cutoff(now, Duration(2, "wd"), SHANGHAI)
    assert CALENDAR.add(cutoff, Duration(2, "wd"), SHANGHAI) == now
    assert CALENDAR.add(cutoff + timedelta(seconds=1), Duration(2, "wd"), SHANGHAI) > now


OVERRIDES = WorkCalendar({date(2025, 6, 13): False, date(2025, 6, 14): True, date(2026, 2, 14): False})
durations = st.builds(Duration, st.integers(0, 40), st.sampled_from(["d", "h", "wd"]))
moments = st.datetimes(datetime(2024, 3, 1), datetime(2026, 12, 1), timezones=st.just(UTC))
zones = st.sampled_from([SHANGHAI, ZoneInfo("UTC")])
calendars = st.sampled_from([CALENDAR, OVERRIDES])
# Moments on the stroke of midnight, where the rules change, are drawn as often as any other.
midnights = st.builds(lambda d, zone: datetime(d.year, d.month, d.day, tzinfo=zone),
                      st.dates(date(2024, 3, 1), date(2026, 12, 1)), zones)


@settings(deadline=None, max_examples=300)
@given(calendar=calendars, now=st.one_of(moments, midnights), duration=durations, tz=zones,
       later=st.timedeltas(timedelta(microseconds=1), timedelta(hours=1)))
def test_cutoff_is_the_latest_start_that_has_run_out(calendar, now, duration, tz, later):
    cutoff = calendar.cutoff(now, duration, tz)
    assert calendar.add(cutoff, duration, tz) <= now
    assert calendar.add(cutoff + later, duration, tz) > now


@settings(deadline=None, max_examples=300)
@given(calendar=calendars, start=st.one_of(moments, midnights), duration=durations, tz=zones)
def test_a_start_has_run_out_at_its_own_deadline(calendar, start, duration, tz):
    deadline = calendar.add(start, duration, tz)
    assert deadline >= start
    assert calendar.cutoff(deadline, duration, tz) >= start


def test_a_long_cutoff_is_quick():
    # The sweep asks once per state and escalation step; it should not notice.
    began = time.perf_counter()
    for _ in range(100):
        CALENDAR.cutoff(shanghai(2026, 6, 1, 10), Duration(250, "wd"), SHANGHAI)
    assert time.perf_counter() - began < 2


# --- how late --------------------------------------------------------------------------------

def test_working_days_late_skip_the_holiday():
    deadline = date(2025, 9, 30)
    assert CALENDAR.working_days_between(deadline, deadline) == 0
    assert CALENDAR.working_days_between(deadline, date(2025, 10, 8)) == 0
    assert CALENDAR.working_days_between(deadline, date(2025, 10, 9)) == 1
    assert CALENDAR.working_days_between(deadline, date(2025, 10, 11)) == 3   # the make-up Saturday counts
    assert CALENDAR.working_days_between(date(2025, 10, 9), deadline) == -1
