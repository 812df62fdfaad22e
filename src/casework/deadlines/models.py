from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class WorkdayOverride(Base):
    """A day whose standing the official calendar gets wrong here: a local holiday, a make-up
    working day announced after the calendar package was released, a year it does not cover yet."""

    __tablename__ = "workday_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
