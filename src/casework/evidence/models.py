from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class Evidence(Base):
    """A file attached to a case, stored by its SHA-256 (the bytes live outside the database).

    Never deleted by anyone's action: it can be withdrawn, with a reason, and then no longer
    counts for the kinds an event requires.
    """

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_case_kind_sha256", "case_id", "kind", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # As uploaded, for people to read; never used as a path.
    filename: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # From the photo itself (EXIF), when it says.
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    camera: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    phash: Mapped[str | None] = mapped_column(String(16))
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)


class PhashBand(Base):
    """One eighth of a photo's 64-bit perceptual hash: two photos within 6 bits of each other
    share at least two of their eight bands, so near duplicates are found by an index, not a scan."""

    __tablename__ = "evidence_phash_bands"
    __table_args__ = (Index("ix_evidence_phash_bands_band_value", "band", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    band: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)


class ReuseFlag(Base):
    """A file of this case also attached to another: the same bytes, a near-identical photo, or a
    photo taken long before the case was opened (other_evidence_id then None)."""

    __tablename__ = "evidence_reuse"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    other_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    kind: Mapped[str] = mapped_column(String(16))  # same_bytes | near_duplicate | old_photo
    distance: Mapped[int | None] = mapped_column(Integer)
