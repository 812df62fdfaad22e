from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """Work to do once the change it follows has committed: a job per row, by the row's id."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    # Makes "exactly once per (case, level)" a unique key rather than a hope.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Handed to a queue (or to the in-process runner); rows left without it are picked up again.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The job finished its work (set in the job's own transaction).
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
