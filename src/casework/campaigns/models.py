from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Prefix of the human case numbers, e.g. "QS" in QS-2026-0042.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    leader_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # Last case number handed out; bumped with UPDATE … RETURNING so numbers never repeat.
    case_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Last inspection item position handed out, bumped the same way.
    item_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InspectionItem(Base):
    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # The plan's own numbering, e.g. "三.(一).1".
    code: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    what_to_inspect: Mapped[str] = mapped_column(Text, default="")
    rectification_measure: Mapped[str] = mapped_column(Text, default="")
    # JSON list of unit kinds (or free-text unit names from the plan) responsible for it.
    responsible_unit_kinds: Mapped[str] = mapped_column(Text, default="[]")
    default_deadline: Mapped[date | None] = mapped_column(Date)
    workflow_key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The area of the plan it sits in (e.g. 脱贫成效大排查): a case's category by default.
    area: Mapped[str | None] = mapped_column(String(300))
    # The parties named responsible, as understood: [{name, unit_kind, role}].
    parties: Mapped[str] = mapped_column(Text, default="[]")
    # From a plan import: the text it came from, and its fields as imported, so a later import
    # can tell a leader's edits (kept) from the plan's own changes (taken).
    source: Mapped[str | None] = mapped_column(Text)
    imported: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
