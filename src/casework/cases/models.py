from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class CaseSource(Base):
    """A source of findings an admin added to the standard list (cases/sources.py)."""

    __tablename__ = "case_sources"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_unit_state", "unit_id", "state"),
        # The case list walks one of these in its sort order and stops after a page, instead of
        # sorting every case in scope (cases/queries.py: each sort is (key, id), paged by cursor).
        Index("ix_cases_created", "created_at", "id"),
        Index("ix_cases_updated", "updated_at", "id"),
        Index("ix_cases_deadline_order", text("coalesce(deadline, '9999-12-31')"), "id"),
        Index("ix_cases_campaign_created", "campaign_id", "created_at", "id"),
        Index("ix_cases_state_created", "state", "created_at", "id"),
        Index("ix_cases_assignee_created", "assignee_id", "created_at", "id"),
        # Overdue cases are open ones: the deadline in the key is checked without reading the row.
        Index("ix_cases_open_created", "created_at", "id", "deadline", postgresql_where=text("closed_at IS NULL"),
              sqlite_where=text("closed_at IS NULL")),
        Index("ix_cases_next_due_at", "next_due_at", postgresql_where=text("closed_at IS NULL"),
              sqlite_where=text("closed_at IS NULL")),
        Index("ix_cases_not_checkpointed", "id", postgresql_where=text("event_count <> checkpointed_count"),
              sqlite_where=text("event_count <> checkpointed_count")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_items.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    village: Mapped[str | None] = mapped_column(String(100))
    # The household (帮扶对象) the finding concerns, if one: by id, never its personal data.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    # Where the problem came from (问题来源: 省考核反馈, 暗访, 自查 …) and its category (问题类别).
    source: Mapped[str | None] = mapped_column(String(32), index=True)
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default="normal")
    # A local calendar date in the campaign's time zone, inclusive ("11月30日前").
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    # A plain string, not an enum: workflows add their own states.
    state: Mapped[str] = mapped_column(String(64))
    workflow_key: Mapped[str] = mapped_column(String(64))
    workflow_version: Mapped[int] = mapped_column(Integer)
    self_inspection: Mapped[bool] = mapped_column(default=False)
    # Optimistic lock: every write is UPDATE … WHERE version = :seen.
    version: Mapped[int] = mapped_column(Integer, default=1)
    chain_head: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    # The event count the latest checkpoint recorded: a case whose count moved on is "changed"
    # and goes into the next checkpoint (found through a partial index, not a full scan).
    checkpointed_count: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    # When the case last reached a closed state (verified, dismissed); None while it is open.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it entered its current state, and the event that started its current clock (a new
    # state or a new deadline): the sweep's reminders and escalations are keyed by that event.
    state_since: Mapped[datetime] = mapped_column(UTCDateTime())
    clock_seq: Mapped[int] = mapped_column(Integer, default=1)
    # When the sweep should next look at the case (a reminder or ladder step falls due then). Not
    # part of the record: worked out from it and the calendar, on each new clock and each sweep.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
