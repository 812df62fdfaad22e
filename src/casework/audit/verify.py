"""Recompute every case's chain and name the first event that does not match."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.trail.chain import GENESIS, event_hash
from casework.trail.models import CaseEvent
from casework.cases.models import Case
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter


@dataclass(frozen=True)
class BadEvent:
    case_id: int
    number: str
    seq: int | None
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # events checked
    cases: int
    first_bad: BadEvent | None


def _check_case(case: Case, events: list[CaseEvent]) -> BadEvent | None:
    def bad(seq: int | None, reason: str) -> BadEvent:
        return BadEvent(case.id, case.number, seq, reason)

    prev = GENESIS
    for expected_seq, row in enumerate(events, start=1):
        if row.seq != expected_seq:
            return bad(expected_seq, f"event {expected_seq} is missing (found seq {row.seq} in its place)")
        if row.prev_hash != prev:
            return bad(row.seq, "prev_hash does not match the event before it (removed or reordered)")
        try:
            payload = json.loads(row.payload)
        except ValueError:
            return bad(row.seq, "payload is not valid JSON")
        recomputed = event_hash(case_id=row.case_id, seq=row.seq, event=row.event,
                                from_state=row.from_state, to_state=row.to_state,
                                actor_id=row.actor_id, at=row.at, payload=payload, prev_hash=row.prev_hash)
        if recomputed != row.hash:
            return bad(row.seq, "contents changed: the recomputed hash differs from the stored one")
        prev = row.hash
    if len(events) != case.event_count:
        return bad(len(events) + 1 if len(events) < case.event_count else case.event_count + 1,
                   f"the case records {case.event_count} events but {len(events)} are stored")
    if prev != case.chain_head:
        return bad(len(events) or None, "the case's chain head does not match its last event")
    if events and events[-1].to_state != case.state:
        return bad(events[-1].seq, f"the case is in state {case.state!r} but its last event led to {events[-1].to_state!r}")
    return None


def verify_all(*, session: Session, user: User | None = None, batch: int = 500) -> VerifyResult:
    """Check every case's chain (in `user`'s scope, if given), a batch at a time; stop at the first bad event."""
    checked = cases = 0
    last_id = 0
    query = select(Case)
    if user is not None:
        query = query.where(Case.unit_id.in_(select(Unit.id).where(unit_filter(user))))
    while True:
        page = session.scalars(query.where(Case.id > last_id).order_by(Case.id).limit(batch)).all()
        if not page:
            return VerifyResult(True, checked, cases, None)
        ids = [c.id for c in page]
        by_case: dict[int, list[CaseEvent]] = {i: [] for i in ids}
        rows = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id.in_(ids)).order_by(CaseEvent.case_id, CaseEvent.seq)
        ).all()
        for row in rows:
            by_case[row.case_id].append(row)
        for case in page:
            cases += 1
            checked += len(by_case[case.id])
            problem = _check_case(case, by_case[case.id])
            if problem is not None:
                return VerifyResult(False, checked, cases, problem)
        last_id = ids[-1]
        # Keep memory flat over a million cases: forget the rows of the batch just checked.
        for obj in (*page, *rows):
            session.expunge(obj)


def verify_case(*, session: Session, case: Case) -> BadEvent | None:
    """Check one case's chain."""
    events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))
    return _check_case(case, events)
