"""When a case is due for a reminder and each ladder step, by a clock the tests control."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from casework.deadlines.clock import OVERDUE, STALLED, Facts, deadline_end, due, next_look
from casework.workdays import WorkCalendar
from casework.workflows.definition import parse

SHANGHAI = ZoneInfo("Asia/Shanghai")


def workflow(remind="2d", ladder=("0d", "3d", "7d"), time_allowed=None):
    states = {"found": {"label": "发现问题"}, "rectifying": {"label": "整改中"},
              "verified": {"label": "已销号", "closed": True}}
    if time_allowed:
        states["rectifying"]["time_allowed"] = time_allowed
    return parse({
        "key": "test", "name": "测试", "initial": "found", "states": states,
        "events": {"start": {"label": "开始", "from": ["found"], "to": "rectifying", "roles": ["unit"]},
                   "verify": {"label": "验收", "from": ["rectifying"], "to": "verified", "roles": ["leader"]},
                   "reopen": {"label": "重开", "from": ["verified"], "to": "rectifying", "roles": ["leader"]}},
        "remind_before": remind,
        "escalation": [{"after": a, "notify": n} for a, n in zip(ladder, ("unit", "unit_leader", "campaign_leader"))],
    }, source="test")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def facts(deadline="2026-11-30", state="rectifying", since="2026-11-20T09:00", level=0):
    return Facts(deadline=date.fromisoformat(deadline) if deadline else None, state=state, state_since=at(since),
                 escalation_level=level, closed=False)


CAL = WorkCalendar()


def test_a_deadline_is_inclusive_in_the_campaign_s_zone():
    assert deadline_end(date(2026, 11, 30), SHANGHAI) == at("2026-12-01T00:00")


@pytest.mark.parametrize(("now", "reminder", "level"), [
    ("2026-11-27T23:59", False, 0),  # three days before the end of the deadline day: quiet
    ("2026-11-29T00:00", True, 0),   # remind 2 days before it runs out
    ("2026-11-30T23:59", True, 0),   # still the last day
    ("2026-12-01T00:00", False, 1),  # overdue: level 1 at once (after 0d), no reminder any more
    ("2026-12-03T23:59", False, 1),
    ("2026-12-04T00:00", False, 2),  # 3 days late
    ("2026-12-08T00:00", False, 3),  # 7 days late
    ("2027-03-01T00:00", False, 3),  # the top of the ladder
])
def test_the_reminder_and_each_step_fall_due_at_their_moment(now, reminder, level):
    found = due(facts(), workflow(), tz=SHANGHAI, calendar=CAL, now=at(now), reminded=False)
    assert (found.reminder, found.level) == (reminder, level)
    if level:
        assert found.reason == OVERDUE


def test_a_case_found_several_steps_late_reaches_only_the_highest():
    found = due(facts(level=0), workflow(), tz=SHANGHAI, calendar=CAL, now=at("2026-12-20T10:00"), reminded=False)
    assert (found.level, found.reminder) == (3, False)


def test_the_next_look_is_the_next_step_not_sent_yet():
    wf = workflow()
    quiet = next_look(facts(), wf, tz=SHANGHAI, calendar=CAL, now=at("2026-11-25T10:00"))
    assert quiet == at("2026-11-29T00:00")  # the reminder
    after_reminder = next_look(facts(), wf, tz=SHANGHAI, calendar=CAL, now=at("2026-11-29T08:00"), reminded=True)
    assert after_reminder == at("2026-12-01T00:00")  # level 1 when overdue
    at_level_2 = next_look(facts(level=2), wf, tz=SHANGHAI, calendar=CAL, now=at("2026-12-05T08:00"), reminded=True)
    assert at_level_2 == at("2026-12-08T00:00")
    assert next_look(facts(level=3), wf, tz=SHANGHAI, calendar=CAL, now=at("2026-12-09T08:00"), reminded=True) is None


def test_a_stalled_state_starts_the_ladder_before_the_deadline():
    wf = workflow(time_allowed="5d")
    found = due(facts(deadline="2026-12-31", since="2026-11-20T09:00"), wf, tz=SHANGHAI, calendar=CAL,
                now=at("2026-11-25T09:00"), reminded=False)
    assert (found.level, found.reason) == (1, STALLED)


def test_working_days_skip_the_spring_festival_and_count_the_make_up_saturdays():
    # 2026: 15–23 February off; Saturday 14 and Saturday 28 February are working days (调休).
    wf = workflow(remind="1wd", ladder=("0d", "2wd", "5wd"))
    before = facts(deadline="2026-02-13", since="2026-02-01T09:00")
    # The deadline ends at midnight after Friday 13 February; one working day before that is the
    # start of Friday 13 itself.
    assert due(before, wf, tz=SHANGHAI, calendar=CAL, now=at("2026-02-12T23:59"), reminded=False).reminder is False
    assert due(before, wf, tz=SHANGHAI, calendar=CAL, now=at("2026-02-13T00:00"), reminded=False).reminder is True
    # Overdue from Saturday 14 February 00:00, a make-up working day. Level 2 comes once two
    # working days have passed — Saturday 14 and, after the holiday, Tuesday 24 — so on the 25th.
    assert due(before, wf, tz=SHANGHAI, calendar=CAL, now=at("2026-02-14T00:00"), reminded=True).level == 1
    assert due(before, wf, tz=SHANGHAI, calendar=CAL, now=at("2026-02-23T23:59"), reminded=True).level == 1
    assert due(before, wf, tz=SHANGHAI, calendar=CAL, now=at("2026-02-25T00:00"), reminded=True).level == 2
    # Level 3 after 5 working days: 14, 24, 25, 26, 27 February — due at the start of Saturday 28.
    assert due(before, wf, tz=SHANGHAI, calendar=CAL, now=at("2026-02-27T23:59"), reminded=True).level == 2
    assert due(before, wf, tz=SHANGHAI, calendar=CAL, now=at("2026-02-28T00:00"), reminded=True).level == 3


def test_a_closed_case_is_due_for_nothing():
    closed = Facts(deadline=date(2026, 11, 1), state="verified", state_since=at("2026-11-01T00:00"),
                   escalation_level=0, closed=True)
    assert due(closed, workflow(), tz=SHANGHAI, calendar=CAL, now=at("2026-12-31T00:00"), reminded=False).level == 0


def test_a_case_without_deadline_or_limit_is_never_due():
    found = due(facts(deadline=None), workflow(), tz=SHANGHAI, calendar=CAL, now=at("2030-01-01T00:00"),
                reminded=False)
    assert (found.reminder, found.level, found.next_at) == (False, 0, None)
