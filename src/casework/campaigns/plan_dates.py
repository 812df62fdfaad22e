"""Deadlines as a work plan writes them: "11月30日前", "在11月30日之前", "截至2025年1月15日".

Plans leave out the year; the campaign's year is used, the same for every date of the plan. A date
not yet decided ("即日起到x月x日") and a date that does not exist ("2月30日") are reported, never
guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from casework.errors import Unprocessable
from casework.limits import EARLIEST_DATE, LATEST_DATE

# Found from their 月, which is rare: a pattern starting at the month would be tried at every
# position of the text. x (or ×, *) stands for a number not yet decided.
_MONTH_DAY = re.compile(r"月\s?(?P<day>\d{1,2}|[xX×＊*])\s?[日号](?P<suffix>之前|以前|前|止)?")
_BEFORE_MONTH = re.compile(r"(?:(?P<year>\d{4})\s?年\s?)?(?P<month>\d{1,2}|[xX×＊*])\s?$")
_MONTH_REACH = 10
# Without 前 after it, a date is a deadline only when led to: 到、至、截至、完成时限：
_LEAD = re.compile(r"(?:到|至|截至|截止|时限\s*[:：]?)\s*$")
_LEAD_REACH = 8


@dataclass(frozen=True)
class Mention:
    """A date in the text: a deadline (`when`), or a `problem` code (deadline_open, bad_date)."""

    start: int
    text: str
    when: date | None
    problem: str | None


def mentions(text: str, *, year: int, limit: int) -> Iterator[Mention]:
    """The deadlines and the impossible dates of `text`, in order; more than `limit` is no plan."""
    for count, tail in enumerate(_MONTH_DAY.finditer(text)):
        if count == limit:
            raise Unprocessable("plan_too_complex", limit=limit)
        head = _BEFORE_MONTH.search(text, max(0, tail.start() - _MONTH_REACH), tail.start())
        if head is None or (head.start() > 0 and text[head.start() - 1].isdigit()):
            continue
        start = head.start()
        when, problem = _resolve(head, tail, year)
        # An impossible date is worth a look wherever it stands; other dates matter only as
        # deadlines ("5月1日起" starts something, "x月x日召开" is a meeting not yet fixed).
        led = _LEAD.search(text, max(0, start - _LEAD_REACH), start)
        if problem == "bad_date" or tail["suffix"] or led:
            yield Mention(start, text[start:tail.end()], when, problem)


def _resolve(head: re.Match[str], tail: re.Match[str], year: int) -> tuple[date | None, str | None]:
    if not (head["month"].isdigit() and tail["day"].isdigit()):
        return None, "deadline_open"
    try:
        when = date(int(head["year"] or year), int(head["month"]), int(tail["day"]))
    except ValueError:
        return None, "bad_date"
    return (when, None) if EARLIEST_DATE <= when <= LATEST_DATE else (None, "bad_date")


def latest(found: list[Mention]) -> tuple[date | None, str | None]:
    """An item's deadline and the words it came from."""
    # An item dates its steps (大会 11月30日前, 走访 12月10日前); it is done when its last step
    # is, so its deadline is the latest date in it.
    dated = [m for m in found if m.when is not None]
    if not dated:
        return None, None
    last = max(dated, key=lambda m: m.when)
    return last.when, last.text
