"""The heads of the chains that are not a case's (the admin log, the checkpoint log)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.trail.chain import GENESIS
from casework.trail.models import ChainHead

ADMIN_LOG = "admin_log"
CHECKPOINTS = "checkpoints"


def lock(*, session: Session, name: str) -> ChainHead:
    """The head, locked until the caller's transaction ends (made at GENESIS the first time)."""
    head = session.execute(select(ChainHead).where(ChainHead.name == name).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if head is None:
        head = ChainHead(name=name, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def read(*, session: Session, name: str) -> tuple[int, str]:
    """(seq, hash) of the head, without locking it."""
    head = session.get(ChainHead, name)
    return (head.seq, head.hash) if head else (0, GENESIS)
