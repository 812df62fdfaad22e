"""The numbered outline of a work plan: which numbers are headings and which are only text.

Three levels, as township plans write them: 一、 (areas), (一) or （一） (sub-areas), 1. / 1、 / 1．
(inspection items). A number is a heading only where a new paragraph could begin — at a line start,
after a space or after a sentence end — and only when it continues its level's sequence or skips
ahead (a gap the reader reports); inside an item's labelled content (排查内容 …), a list that
starts again at 1 is the item's own sub-points.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from casework.errors import Unprocessable

_DIGITS = "一二三四五六七八九"
_NUMERAL = "[一二三四五六七八九十]{1,3}"
# Where a paragraph may begin in text pasted as one run: "。 二、范围", "联点组长 6、满意度方面".
# Numbers elsewhere ("二中、三中全会", "第(一)项", "1.5万元") are part of a sentence.
_PARAGRAPH_START = r"(?<![^\s。；;：:！!？?])"

_NUMBER = (rf"(?:(?P<l1>{_NUMERAL})[、．.]"
           rf"|[(（]\s?(?P<l2>{_NUMERAL})\s?[)）]"
           r"|(?P<l3>\d{1,3})(?:[.．](?!\d)|、))")
HEADING = re.compile(_PARAGRAPH_START + _NUMBER)
# A text that already carries its number (a Word heading typed with one).
NUMBERED = re.compile(r"\s*" + _NUMBER)

# The labels that open an item's fields, and the field each fills. 完成时限 only ends the field
# before it; the dates themselves are read from the whole item.
FIELD_LABELS: dict[str, str] = {
    "排查内容": "what_to_inspect", "检查内容": "what_to_inspect", "排查重点": "what_to_inspect",
    "整改措施": "rectification_measure", "整改要求": "rectification_measure",
    "责任单位": "parties", "责任人": "parties", "牵头单位": "parties",
    "完成时限": "deadline", "整改时限": "deadline",
}
_LABEL = re.compile("(?P<label>" + "|".join(sorted(FIELD_LABELS, key=len, reverse=True))
                    + r")(?:\s*[:：。．.]|(?=\s|\Z))")
# A label opens a paragraph or a sentence (not 帮扶责任人). Checked after the match: a pattern
# that starts with a look-behind is tried at every position, several times slower.
_LABEL_AFTER = frozenset(" \t\n\u3000。；;")


def labels(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The field labels in text[start:end], in order."""
    for match in _LABEL.finditer(text, start, end):
        if match.start() == 0 or text[match.start() - 1] in _LABEL_AFTER:
            yield match


def cn_number(numeral: str) -> int | None:
    """一 → 1, 十二 → 12, 三十 → 30; None for what is not a numeral (一一, 十十)."""
    tens, ten, ones = numeral.partition("十")
    if not ten:
        tens, ones = "", numeral
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    if not ten and not ones:
        return None
    high = (_DIGITS.index(tens) + 1 if tens else 1) if ten else 0
    return high * 10 + (_DIGITS.index(ones) + 1 if ones else 0)


def cn_numeral(number: int) -> str:
    """1 → 一, 12 → 十二, 30 → 三十 (1 to 99)."""
    tens, ones = divmod(number, 10)
    high = "" if tens == 0 else "十" if tens == 1 else _DIGITS[tens - 1] + "十"
    return high + (_DIGITS[ones - 1] if ones else "")


@dataclass
class Section:
    """One heading and its own text, up to the next heading (its children's text is theirs)."""

    level: int
    number: int
    code: str  # its key in the outline: 三, 三.(一), 三.(一).1
    start: int  # where its number begins
    body_start: int  # just after its number
    end: int
    parent: Section | None = field(default=None, repr=False)
    expected: int | None = None  # the number it should have had, when it skips ahead


class _Candidate(NamedTuple):
    level: int
    number: int
    numeral: str
    start: int
    end: int


def _candidate(match: re.Match[str]) -> _Candidate | None:
    if match["l3"]:
        number, numeral, level = int(match["l3"]), str(int(match["l3"])), 3
    else:
        level = 1 if match["l1"] else 2
        written = match["l1"] or match["l2"]
        number = cn_number(written)
        numeral = written if level == 1 else f"({written})"
    if not number:
        return None
    return _Candidate(level, number, numeral, match.start(), match.end())


class _Scan:
    """Walks the numbers in order, deciding for each whether it opens a section."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sections: list[Section] = []
        self.path: list[Section] = []
        self.last: dict[int, int] = {}  # last number per level under the open sections
        self.seen: dict[int, int] = {}  # last number per level anywhere
        self.labels: set[str] = set()  # fields the current section has opened so far
        self.cursor = 0
        self.sub: tuple[int, int] | None = None  # (level, number) of the current sub-point list

    def take(self, candidate: _Candidate, next_start: int) -> None:
        self._absorb(candidate.start)
        fits = self._fits(candidate)
        if self._is_heading(candidate, fits, next_start):
            self._open(candidate, fits)
        elif self.labels and (self._continues_sub(candidate) or candidate.number == 1):
            self.sub = (candidate.level, candidate.number)

    def close(self) -> list[Section]:
        if self.sections:
            self.sections[-1].end = len(self.text)
        return self.sections

    def _absorb(self, upto: int) -> None:
        if self.path:
            self.labels |= _fields_in(self.text, self.cursor, upto)
        self.cursor = upto

    def _fits(self, candidate: _Candidate) -> bool:
        last = self.last.get(candidate.level, 0)
        if candidate.number == last + 1:
            return True
        # A level's first number under a new parent restarts at 1 (checked above) or carries on
        # from the previous parent's list; an excerpt may start anywhere.
        seen = self.seen.get(candidate.level)
        return last == 0 and (seen is None or candidate.number == seen + 1)

    def _continues_sub(self, candidate: _Candidate) -> bool:
        return self.sub == (candidate.level, candidate.number - 1)

    def _is_heading(self, candidate: _Candidate, fits: bool, next_start: int) -> bool:
        # A number may also skip ahead (二 then 四): plans have typos, and a skipped heading is
        # better reported than merged into the item before it. Going back is always text.
        if not fits and candidate.number <= self.last.get(candidate.level, 0):
            return False
        if not self.labels:
            return True
        # Inside an item's content, deeper numbers are its sub-points. A number that could also
        # continue the sub-points, or that skips ahead at the item's own level, opens a new item
        # only if the text after it repeats a label this item already has (a new 排查内容 …).
        if candidate.level > self.path[-1].level:
            return False
        if self._continues_sub(candidate) or (not fits and candidate.level == self.path[-1].level):
            return bool(self.labels & _fields_in(self.text, candidate.end, next_start))
        return True

    def _open(self, candidate: _Candidate, fits: bool) -> None:
        while self.path and self.path[-1].level >= candidate.level:
            self.path.pop()
        parent = self.path[-1] if self.path else None
        code = f"{parent.code}.{candidate.numeral}" if parent else candidate.numeral
        if self.sections:
            self.sections[-1].end = candidate.start
        expected = None if fits else self.last.get(candidate.level, 0) + 1
        section = Section(candidate.level, candidate.number, code, candidate.start,
                          candidate.end, len(self.text), parent, expected)
        self.sections.append(section)
        self.path.append(section)
        self.last = {lvl: n for lvl, n in self.last.items() if lvl < candidate.level}
        self.last[candidate.level] = self.seen[candidate.level] = candidate.number
        self.labels, self.sub, self.cursor = set(), None, candidate.end


def _fields_in(text: str, start: int, end: int) -> set[str]:
    return {FIELD_LABELS[m["label"]] for m in labels(text, start, end)}


def outline(text: str, *, limit: int) -> list[Section]:
    """The sections of `text` in document order; more than `limit` numbers is no plan."""
    scan = _Scan(text)
    pending: _Candidate | None = None
    count = 0
    for match in HEADING.finditer(text):
        if (candidate := _candidate(match)) is None:
            continue
        count += 1
        if count > limit:
            raise Unprocessable("plan_too_complex", limit=limit)
        if pending is not None:
            scan.take(pending, candidate.start)
        pending = candidate
    if pending is not None:
        scan.take(pending, len(text))
    return scan.close()
