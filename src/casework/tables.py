"""Reading a spreadsheet people keep (xlsx, xls, ods, or CSV in UTF-8 or GBK) by its Chinese headers.

The first sheet is read; its header row is the first of the top ten that names the layout's key
column, so a title row above it does no harm. Columns are found by their headers, full-width or
half-width brackets alike (村(社区) = 村（社区）), a trailing `*` or (必填) ignored; unknown columns are
ignored. Values are read, never evaluated: a cell beginning with `=` in a CSV is text, and of an
Excel formula only the value Excel saved is seen. Rows are handed out one at a time.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import magic
from python_calamine import CalamineError, CalamineWorkbook

from casework.errors import TooLarge, Unprocessable, UnsupportedMedia
from casework.i18n import translate
from casework.text_files import decode

HEADER_SEARCH = 10
SPREADSHEETS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",  # .xlsx
    "application/vnd.ms-excel",  # .xls
    "application/vnd.oasis.opendocument.spreadsheet",  # .ods
    "application/zip",  # an .xlsx some writers leave without the markers libmagic looks for
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()


def header_key(text: str) -> str:
    plain = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*]", "", plain).removesuffix("(必填)").removesuffix("(选填)")


@dataclass(frozen=True)
class Layout:
    """What a kind of spreadsheet holds: its columns, in the template's order, and the field whose
    header marks the header row."""

    columns: tuple[Column, ...]
    key: str
    max_bytes: int
    max_rows: int

    @property
    def headers(self) -> dict[str, str]:
        return {column.field: column.header for column in self.columns}

    def by_header(self) -> dict[str, Column]:
        return {header_key(name): column for column in self.columns for name in (column.header, *column.aliases)}


@dataclass(frozen=True)
class Problem:
    """What is wrong where: a row (as the spreadsheet numbers it), a column, a catalogue code."""

    row: int
    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, language: str, headers: dict[str, str]) -> dict[str, Any]:
        return {"row": self.row, "column": headers.get(self.field, self.field), "field": self.field,
                "code": self.code, "message": translate(self.code, language, self.params)}


class TableRefused(Unprocessable):
    """A file with problems: nothing of it is imported; its details list the first MAX_SHOWN."""

    MAX_SHOWN = 1000

    def __init__(self, code: str, problems: list[Problem], layout: Layout) -> None:
        super().__init__(code, count=len(problems))
        order = list(layout.headers)
        self.headers = layout.headers
        self.problems = sorted(problems, key=lambda p: (p.row, order.index(p.field) if p.field in order else len(order)))

    def public_details(self, language: str = "zh") -> dict[str, Any]:
        return {"count": len(self.problems),
                "problems": [p.as_dict(language, self.headers) for p in self.problems[:self.MAX_SHOWN]]}


@dataclass
class Table:
    """The file's header and its rows (each its spreadsheet row number and its cells by field)."""

    header_row: int
    fields: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    ignored: list[str] = field(default_factory=list)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _lines(data: bytes) -> Iterator[list[Any]]:
    detected = magic.from_buffer(data[:65536], mime=True) if data else "application/x-empty"
    if detected in SPREADSHEETS:
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            # Empty leading rows kept: the row numbers are the ones people see.
            yield from sheet.iter_rows() if sheet.start in (None, (0, 0)) else _padded(sheet)
            return
        except (CalamineError, ValueError, OSError):
            raise UnsupportedMedia("table_type", detected=detected) from None
    if detected.startswith("text/") or detected in ("application/csv", "application/x-empty"):
        text = decode(data)
        sample = text[:4096]
        delimiter = max((",", "\t", ";"), key=sample.count) if sample else ","
        try:
            yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            return
        except csv.Error:
            raise Unprocessable("table_unreadable") from None
    raise UnsupportedMedia("table_type", detected=detected)


def _padded(sheet) -> Iterator[list[Any]]:
    top, left = sheet.start
    for _ in range(top):
        yield []
    for row in sheet.iter_rows():
        yield [None] * left + list(row)


def read(data: bytes, *, layout: Layout, refused_code: str) -> Table:
    """The rows of `data` by the layout's columns; refused when too large, of another type, or
    without the columns it needs (`refused_code` names the refusal in the catalogue)."""
    if len(data) > layout.max_bytes:
        raise TooLarge("table_too_large", limit_mb=layout.max_bytes // (1024 * 1024))
    lines = _lines(data)
    by_header = layout.by_header()
    key = next(c for c in layout.columns if c.field == layout.key)
    header, header_index = None, 0
    for header_index, cells in enumerate(lines):
        if header_index >= HEADER_SEARCH:
            break
        if any(isinstance(c, str) and by_header.get(header_key(c)) is key for c in cells):
            header = cells
            break
    if header is None:
        raise TableRefused(refused_code, [Problem(1, key.field, "table_no_header", {"header": key.header})], layout)
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    ignored: list[str] = []
    for position, cell in enumerate(header):
        if blank(cell):
            continue
        column = by_header.get(header_key(str(cell)))
        if column is None:
            ignored.append(str(cell).strip())
        elif column.field in positions:
            problems.append(Problem(header_index + 1, column.field, "table_column_twice"))
        else:
            positions[column.field] = position
    problems += [Problem(header_index + 1, c.field, "table_column_missing") for c in layout.columns
                 if c.required and c.field not in positions]
    if problems:
        raise TableRefused(refused_code, problems, layout)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        count = 0
        for index, cells in enumerate(lines, start=header_index + 2):
            values = {name: cells[at] if at < len(cells) else None for name, at in positions.items()}
            if all(blank(v) for v in values.values()):
                continue
            count += 1
            if count > layout.max_rows:
                raise Unprocessable("table_too_many_rows", max=layout.max_rows)
            yield index, values

    return Table(header_row=header_index + 1, fields=[c.field for c in layout.columns if c.field in positions],
                 rows=rows(), ignored=ignored)
