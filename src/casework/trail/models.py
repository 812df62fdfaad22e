from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime, utcnow


class CaseEvent(Base):
    """One append-only step in a case's life; `hash` covers the row and the previous hash."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Canonical JSON text, not JSONB: JSONB reorders keys and the hash must be reproducible.
    payload: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AdminLogEntry(Base):
    """Who changed which unit, user or role, and when; one chain over the whole log."""

    __tablename__ = "admin_log"
    __table_args__ = (UniqueConstraint("seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """The head of a chain that is not a case's: the admin log's, the checkpoint log's.

    Appending locks the row, so the chain stays one line; its seq and hash also catch a deleted
    last entry.
    """

    __tablename__ = "chain_heads"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class Checkpoint(Base):
    """A signed statement of every changed case's (event count, chain head) at a moment.

    Hash-linked to the checkpoint before it and signed with a key kept outside the database, so
    rewriting a chain and recomputing its hashes after a checkpoint is still caught.
    """

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    entry_count: Mapped[int] = mapped_column(Integer)
    # SHA-256 over the sorted entries: one line "case_id event_count head" each.
    root: Mapped[str] = mapped_column(String(64))
    admin_seq: Mapped[int] = mapped_column(Integer)
    admin_head: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))


class CheckpointEntry(Base):
    """One case as a checkpoint saw it."""

    __tablename__ = "checkpoint_entries"
    __table_args__ = (Index("ix_checkpoint_entries_case_checkpoint", "case_id", "checkpoint_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_seq: Mapped[int] = mapped_column(Integer, index=True)
    case_id: Mapped[int] = mapped_column(Integer)
    event_count: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))


class AccessLogEntry(Base):
    """Who signed in (or failed to), from where, and who took data out: exports, bulk downloads,
    full reads of personal data. Kept apart from the case chains, which must never hold personal
    data and never forget."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The name typed at sign-in (a failed attempt may name nobody who exists).
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
