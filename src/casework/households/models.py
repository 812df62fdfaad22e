from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class Household(Base):
    """A household (帮扶对象). Its head's ID number and phone are stored only encrypted
    (`*_sealed`, casework.personal_data) beside a keyed hash for exact search (`*_index`)."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 户编号: what registers name a household by, and what a re-import matches on.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    head_name: Mapped[str] = mapped_column(String(50))
    id_number_sealed: Mapped[str | None] = mapped_column(Text)
    # One person heads one household: an ID number appears once.
    id_number_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_sealed: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    size: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    # 帮扶责任人: a unit of kind assistance_officer.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
