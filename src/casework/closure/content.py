"""What a closure pack shows: the case, its timeline and its evidence, as plain frozen data.

Times are aware datetimes (any zone); the pack shows them in the campaign's zone, Chinese-style
(2026年11月29日 14:05). The order of `timeline` and `evidence` is the order printed: the caller
sorts them (by seq, by number) so the same case always gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

TITLE = "整改销号材料"  # the closure pack's name, on the PDF and in the ZIP's file names
DEFAULT_TIME_ZONE = "Asia/Shanghai"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class InspectionItem:
    """The 排查项 a case was found under."""

    title: str
    what_to_inspect: str | None = None  # 排查内容
    rectification_measure: str | None = None  # 整改措施


@dataclass(frozen=True, kw_only=True)
class TimelineEntry:
    """One event of the case's audit chain, with the labels people read."""

    seq: int
    at: datetime
    actor_name: str
    event_label: str
    from_label: str | None = None
    to_label: str | None = None
    reason: str | None = None
    comment: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.at, f"timeline entry {self.seq}: at")


@dataclass(frozen=True, kw_only=True)
class EvidenceEntry:
    """One evidence file. `open_file()` returns a fresh binary stream of the stored bytes."""

    number: int
    filename: str
    kind_label: str
    size: int
    sha256: str
    content_type: str
    uploaded_by_name: str
    uploaded_at: datetime
    # From the photo's EXIF. Cameras record local time without a zone: a naive value is shown as is.
    taken_at: datetime | None = None
    gps: tuple[float, float] | None = None  # (latitude, longitude) in degrees
    reuse_flags: tuple[str, ...] = ()  # e.g. "与 QS-2026-0017 的照片相同", as people should read it
    withdrawn: bool = False
    open_file: Callable[[], BinaryIO] = field(repr=False, compare=False)
    is_image: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.uploaded_at, f"evidence {self.number}: uploaded_at")
        if not SHA256_HEX.fullmatch(self.sha256):
            raise ValueError(f"evidence {self.number}: sha256 must be 64 lowercase hex digits")
        if self.number < 1 or self.size < 0:
            raise ValueError(f"evidence {self.number}: number must be positive and size not negative")

    @property
    def label(self) -> str:
        """The number as printed and as it starts the file's name in the ZIP: 01, 02 … 100."""
        return f"{self.number:02d}"


@dataclass(frozen=True, kw_only=True)
class PackContent:
    """Everything a closure pack prints, and nothing it has to look up."""

    campaign_name: str
    item: InspectionItem
    case_number: str
    title: str
    description: str
    village: str | None
    household_name: str | None  # the head of household's name only, never an ID number
    unit_name: str
    assignee_name: str
    deadline: date | None
    completed_at: datetime  # when the case was closed; it also dates the PDF and the ZIP's entries
    late: bool  # closed after its deadline
    timeline: tuple[TimelineEntry, ...]  # by seq
    evidence: tuple[EvidenceEntry, ...]  # by number, withdrawn files included (they are listed)
    verified_by_name: str
    closing_seq: int  # the closing event's place in the case's audit chain
    closing_hash: str  # and its hash, which the pack prints so it can be checked against the chain
    time_zone: str = DEFAULT_TIME_ZONE

    def __post_init__(self) -> None:
        _require_aware(self.completed_at, "completed_at")
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not halfway through a render
        numbers = [entry.number for entry in self.evidence]
        if len(set(numbers)) != len(numbers):
            raise ValueError("evidence numbers must be unique")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local(self, value: datetime) -> datetime:
        """An aware time in the pack's zone; a naive one (camera clock) unchanged."""
        if value.tzinfo is None:
            return value
        return value.astimezone(self.zone)

    def format_time(self, value: datetime) -> str:
        """2026年11月29日 14:05, in the pack's zone."""
        local = self.local(value)
        return f"{format_date(local.date())} {local:%H:%M}"

    @property
    def closing_entry(self) -> TimelineEntry | None:
        """The timeline entry the pack was built on, when the timeline includes it."""
        return next((entry for entry in self.timeline if entry.seq == self.closing_seq), None)


def format_date(value: date) -> str:
    """2026年11月30日."""
    return f"{value.year}年{value.month}月{value.day}日"
