from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class Notification(Base):
    """One message in one person's inbox. The text is a catalogue code and its parameters, so it
    reads in the reader's language; `dedupe_key` makes "once per person" a unique key."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # reminder, escalation, assigned, returned, …
    level: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(Text, default="{}")
    dedupe_key: Mapped[str] = mapped_column(String(200))
    # The sweep that made it (its notifications go out to channels together, as one digest each);
    # None for one sent on its own.
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeadlineStep(Base):
    """A reminder or escalation step taken for a case: once per (case, kind, level, clock).

    The clock is the event that started the case's current state or deadline, so a case rejected
    or extended and late again is chased again. Inserted first, in the same transaction as the
    notifications and the case's system event: a second sweep, a retried job or a restarted worker
    finds the key taken and sends nothing.
    """

    __tablename__ = "deadline_steps"
    __table_args__ = (UniqueConstraint("case_id", "kind", "level", "clock_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))  # reminder | escalation
    level: Mapped[int] = mapped_column(Integer)
    clock_seq: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
