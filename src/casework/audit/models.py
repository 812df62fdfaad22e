from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class VerificationRun(Base):
    """One whole-install (or one auditor's scope) verification, run as a job, and how it went."""

    __tablename__ = "verification_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # queued → running → done (or failed); progress counts cases as they are checked.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    cases_total: Mapped[int] = mapped_column(Integer, default=0)
    cases_done: Mapped[int] = mapped_column(Integer, default=0)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[bool | None] = mapped_column()
    findings: Mapped[str] = mapped_column(Text, default="[]")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
