"""A case's closure pack, as people ask for it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.cases.service import definition_of
from casework.closure.models import ClosurePack
from casework.errors import NotFound


def latest(*, session: Session, case: Case) -> ClosurePack | None:
    """The pack of the case's latest closing; not found while the case is open or was dismissed."""
    if case.closed_at is None or not definition_of(session=session, case=case).is_verified(case.state):
        raise NotFound("closure_pack_not_found", ref=case.number)
    return session.scalars(select(ClosurePack).where(ClosurePack.case_id == case.id)
                           .order_by(ClosurePack.closing_seq.desc()).limit(1)).first()
