"""Reading a campaign's work plan (工作方案) into inspection items, and saying what stayed unclear.

Pure: a plan's text (or its .docx) in, items and warnings out; no database, no HTTP. Each warning
has a stable code, the details its catalogued message needs and the source text it concerns, so
a person can check what was understood against the plan itself.
"""

from __future__ import annotations

import bisect
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from casework.campaigns.plan_outline import (FIELD_LABELS, NUMBERED, Section, cn_numeral, labels,
                                             outline)
from casework.campaigns.plan_dates import Mention, latest, mentions
from casework.campaigns.plan_parties import Party, is_known, party, party_names
from casework.errors import CaseworkError, Unprocessable
from casework.limits import EARLIEST_DATE, LATEST_DATE, PARTIES_MAX, TITLE_MAX

__all__ = ["MAX_DOCX_UNPACKED", "MAX_PLAN_CHARS", "MAX_PLAN_MARKS", "Party", "PlanItem",
           "PlanResult", "PlanWarning", "parse_text", "text_from_docx"]

# A township's plan runs to tens of thousands of characters; two million is a pasted book.
MAX_PLAN_CHARS = 2_000_000
# Numbers that could be headings, and dates: a real plan has hundreds; a text with tens of
# thousands is built to make the reading slow.
MAX_PLAN_MARKS = 20_000
# What a .docx (a zip) may unpack to, so that a small upload cannot inflate to gigabytes.
MAX_DOCX_UNPACKED = 100_000_000

# Control characters, lone surrogates and undecodable bytes: a few are paste debris, many mean
# the "text" is a binary file.
_JUNK = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")
_JUNK_SHARE = 0.1
_LINE_NUMBER = re.compile(r"[ \t\u3000]*(\d{1,7})、")
_ITEM_FIELDS = ("what_to_inspect", "rectification_measure", "parties")
_REQUIRED = ("rectification_measure", "parties")

_TITLE_END = re.compile(r"\s|[。；;]")
# An item without a title of its own is named by the first words of its content.
_FALLBACK_TITLE = 40
# A warning about a whole text or section shows its beginning, enough to find it in the plan.
_SNIPPET = 200
# A warning about a date shows its clause; a text without punctuation is cut at this reach.
_CLAUSE_END = re.compile(r"[。；;！？!?\n]")
_CLAUSE_REACH = 100

_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*([1-3])$", re.IGNORECASE)
_LEVEL_NUMBER = {1: lambda n: f"{cn_numeral(n)}、", 2: lambda n: f"({cn_numeral(n)})",
                 3: lambda n: f"{n}."}


@dataclass(frozen=True)
class PlanItem:
    """An inspection item (排查项) as the plan states it; `code` is its place, e.g. 三.(一).1."""

    code: str
    title: str
    what_to_inspect: str
    rectification_measure: str
    parties: tuple[Party, ...]
    deadline: date | None
    deadline_text: str | None
    source: str
    area: str


@dataclass(frozen=True)
class PlanWarning:
    """Something in the plan a person should look at; `code` names its catalogued message."""

    code: str
    details: dict[str, Any] = field(hash=False)
    source: str


@dataclass(frozen=True)
class PlanResult:
    items: tuple[PlanItem, ...]
    warnings: tuple[PlanWarning, ...]


@dataclass(frozen=True)
class _Body:
    title: str
    rest: str  # text between the title and the first label
    fields: dict[str, str]


def parse_text(text: str, *, year: int) -> PlanResult:
    """The inspection items of a plan's text, its dates read as in `year`, with warnings."""
    if isinstance(year, bool) or not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
        raise Unprocessable("invalid_field", field="year", reason_code="date_out_of_range",
                            earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
    text = _clean(text)
    joined = _undo_line_numbers(text)
    if joined is None:
        return _Reader(text, year).read()
    result = _Reader(joined, year).read()
    if result.items:
        return result
    # Lines numbered 1、2、3… may also be a plain list of items, one a line.
    try:
        as_written = _Reader(text, year).read()
    except Unprocessable:  # too many numbers to be that list
        return result
    return as_written if as_written.items else result


def _clean(text: str) -> str:
    if len(text) > MAX_PLAN_CHARS:
        raise Unprocessable("plan_too_large", limit=MAX_PLAN_CHARS)
    kept = _JUNK.sub("", text)
    if "\x00" in text or len(text) - len(kept) > len(text) * _JUNK_SHARE:
        raise Unprocessable("plan_unreadable", reason_code="plan_binary")
    # Debris is dropped rather than kept: stored text may hold no control characters.
    for line_end in ("\r\n", "\r", "\v", "\f"):  # Word's line and page breaks end lines too
        kept = kept.replace(line_end, "\n")
    return kept.lstrip("\ufeff")


def _undo_line_numbers(text: str) -> str | None:
    """The text without a numbered page's line numbers, or None when it has none.

    Copied from a page that numbers its lines, every line starts with its ordinal — 1、 2、 3、 …
    (or 37、 38、 … from a later page), none missing — and breaks mid-sentence, so the lines join
    back with nothing between them. A plan's own 6、满意度方面 stands after a space or a sentence
    end, not at the start of every line.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    first = _LINE_NUMBER.match(lines[0]) if len(lines) > 1 else None
    if first is None:
        return None
    pieces = []
    for ordinal, line in enumerate(lines, int(first[1])):
        match = _LINE_NUMBER.match(line)
        if match is None or int(match[1]) != ordinal:
            return None
        pieces.append(line[match.end():])
    return "".join(pieces)


class _Reader:
    """One reading of a plan's text: its sections become items and warnings, in document order."""

    def __init__(self, text: str, year: int) -> None:
        self.text, self.year = text, year
        self.sections = outline(text, limit=MAX_PLAN_MARKS)
        self.warnings: list[tuple[int, PlanWarning]] = []
        self.party_texts: dict[str, str] = {}  # each item's 责任单位 text, by item code

    def read(self) -> PlanResult:
        bodies = [_read_body(self.text, s) for s in self.sections]
        first = next((s for s, b in zip(self.sections, bodies) if _is_item(b)), None)
        if first is None:
            details = {"headings": len(self.sections)}
            return PlanResult((), (PlanWarning("no_items", details, self.text.strip()[:_SNIPPET]),))
        # The preamble (指导思想, 范围 …) is everything before the area holding the first item.
        preamble_end = _root(first).start
        titles = {id(s): b.title for s, b in zip(self.sections, bodies)}
        dates = self._dates_by_section([_is_item(b) for b in bodies])
        items = []
        for index, (section, body) in enumerate(zip(self.sections, bodies)):
            if section.expected is not None:
                self._warn(section.start, "numbering_gap",
                           {"section": section.code, "expected": section.expected},
                           self.text[section.start:section.end].strip()[:_SNIPPET])
            if _is_item(body):
                items.append(self._item(section, body, titles, dates.get(index, [])))
            elif section.start >= preamble_end and body.rest:
                self._warn(section.start, "unplaced_text", {"section": section.code}, body.rest)
        self._warn_unknown_parties(items)
        self.warnings.sort(key=lambda pair: pair[0])
        return PlanResult(tuple(items), tuple(w for _, w in self.warnings))

    def _item(self, section: Section, body: _Body, titles: dict[int, str],
              dates: list[Mention]) -> PlanItem:
        code = section.code
        what = "\n".join(filter(None, (body.rest, body.fields.get("what_to_inspect"))))
        measure = body.fields.get("rectification_measure", "")
        # 责任单位 ends at its sentence: what follows is not a list of parties.
        party_text, _, after = body.fields.get("parties", "").partition("。")
        self.party_texts[code] = party_text
        if after.strip():
            self._warn(section.start, "unplaced_text", {"section": code}, after.strip())
        names, over = party_names(party_text, limit=PARTIES_MAX)
        if over:
            self._warn(section.start, "too_many_parties", {"item": code, "limit": PARTIES_MAX},
                       party_text[:_SNIPPET])
        title = body.title or _first_clause(what or measure)
        deadline, deadline_text = latest(dates)
        item = PlanItem(code=code, title=title, what_to_inspect=what, rectification_measure=measure,
                        parties=tuple(party(name) for name in names),
                        deadline=deadline, deadline_text=deadline_text,
                        source=self.text[section.start:section.end].strip(),
                        area=_area(section, titles) or title)
        missing = [name for name in _REQUIRED if not getattr(item, name)]
        if missing:
            self._warn(section.start, "section_truncated",
                       {"item": code, "title": title, "missing": missing}, item.source)
        return item

    def _dates_by_section(self, is_item: list[bool]) -> dict[int, list[Mention]]:
        """The dates of each section, by its index (-1: before the first heading)."""
        starts = [s.start for s in self.sections]
        found: dict[int, list[Mention]] = {}
        for mention in mentions(self.text, year=self.year, limit=MAX_PLAN_MARKS):
            index = bisect.bisect_right(starts, mention.start) - 1
            found.setdefault(index, []).append(mention)
            if mention.problem:
                item = self.sections[index].code if index >= 0 and is_item[index] else None
                self._warn(mention.start, mention.problem, {"text": mention.text, "item": item},
                           _clause(self.text, mention.start, mention.start + len(mention.text)))
        return found

    def _warn_unknown_parties(self, items: list[PlanItem]) -> None:
        unknown: dict[str, list[PlanItem]] = {}
        for item in items:
            for each in item.parties:
                if not is_known(each.name):
                    unknown.setdefault(each.name, []).append(item)
        starts = {s.code: s.start for s in self.sections}
        for name, where in unknown.items():
            self._warn(starts[where[0].code], "party_unknown",
                       {"party": name, "items": [item.code for item in where]},
                       self.party_texts[where[0].code])

    def _warn(self, at: int, code: str, details: dict[str, Any], source: str) -> None:
        self.warnings.append((at, PlanWarning(code, details, source)))


def _is_item(body: _Body) -> bool:
    return any(name in body.fields for name in _ITEM_FIELDS)


def _read_body(text: str, section: Section) -> _Body:
    found = list(labels(text, section.body_start, section.end))
    head_end = found[0].start() if found else section.end
    title, rest = _split_title(text[section.body_start:head_end])
    pieces: dict[str, list[str]] = {}
    for label, following in zip(found, [*found[1:], None]):
        stop = following.start() if following else section.end
        pieces.setdefault(FIELD_LABELS[label["label"]], []).append(text[label.end():stop].strip())
    return _Body(title, rest, {name: "\n".join(filter(None, p)) for name, p in pieces.items()})


def _split_title(head: str) -> tuple[str, str]:
    """A heading's title is its first phrase (贫困户增收情况排查); the rest is its text."""
    head = head.strip()
    end = _TITLE_END.search(head, 0, TITLE_MAX)
    cut = end.start() if end else min(len(head), TITLE_MAX)
    return head[:cut].rstrip("：:，,、"), head[cut:].lstrip(" \t\n\u3000。；;")


def _first_clause(text: str) -> str:
    return re.split(r"[，,。；;\s]", text.strip(), maxsplit=1)[0][:_FALLBACK_TITLE]


def _root(section: Section) -> Section:
    while section.parent is not None:
        section = section.parent
    return section


def _area(section: Section, titles: dict[int, str]) -> str:
    """The title of the nearest area (一、 or (一) level) around or at the section."""
    node: Section | None = section
    while node is not None:
        if node.level <= 2 and titles[id(node)]:
            return titles[id(node)]
        node = node.parent
    return ""


def _clause(text: str, start: int, end: int) -> str:
    """The clause around text[start:end], as far as its sentence ends (within reach)."""
    left = max(0, start - _CLAUSE_REACH)
    for boundary in _CLAUSE_END.finditer(text, left, start):
        left = boundary.end()
    right = _CLAUSE_END.search(text, end, min(len(text), end + _CLAUSE_REACH))
    return text[left:right.end() if right else min(len(text), end + _CLAUSE_REACH)].strip()


def text_from_docx(data: bytes) -> str:
    """A .docx plan as the lines parse_text reads: paragraphs and table cells, headings numbered."""
    document = _open_docx(data)
    lines, size, counters = [], 0, [0, 0, 0]
    try:
        for paragraph in _paragraphs(document):
            line = _numbered(paragraph, counters)
            size += len(line) + 1
            if size > MAX_PLAN_CHARS:
                raise Unprocessable("plan_too_large", limit=MAX_PLAN_CHARS)
            if line:
                lines.append(line)
    except CaseworkError:
        raise
    except Exception:  # a damaged package fails in python-docx or lxml, in many ways
        raise Unprocessable("plan_unreadable", reason_code="plan_not_docx") from None
    return "\n".join(lines)


def _open_docx(data: bytes) -> Any:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # not bytes, not a zip, a damaged zip: all the same to the person
        raise Unprocessable("plan_unreadable", reason_code="plan_not_docx") from None
    if unpacked > MAX_DOCX_UNPACKED:
        raise Unprocessable("plan_too_large", limit=MAX_DOCX_UNPACKED)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception:  # a zip that is no Word document (an .xlsx, a damaged part)
        raise Unprocessable("plan_unreadable", reason_code="plan_not_docx") from None


def _paragraphs(container: Any) -> Iterator[Paragraph]:
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            yield block
            continue
        seen = set()  # merged cells come back once per grid position they span
        for row in block.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    yield from _paragraphs(cell)


def _numbered(paragraph: Paragraph, counters: list[int]) -> str:
    # Word's automatic numbering is not in the text: a heading gets the number Word shows, so the
    # outline survives (一、 / (一) / 1. for Heading 1 / 2 / 3).
    text = paragraph.text.strip()
    level = _heading_level(paragraph)
    if level is None or not text:
        return text
    counters[level - 1] += 1
    counters[level:] = [0] * (3 - level)
    if NUMBERED.match(text) or counters[level - 1] > 99:
        return text
    return _LEVEL_NUMBER[level](counters[level - 1]) + text


def _heading_level(paragraph: Paragraph) -> int | None:
    style = paragraph.style
    for _ in range(5):  # a custom style based on Heading 2 is a heading too; loops are cut short
        if style is None:
            return None
        if match := _HEADING_STYLE.match(style.name or ""):
            return int(match[1])
        style = style.base_style
    return None
