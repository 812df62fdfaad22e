"""Recompute every record and name what does not match.

For each case: its chain (links and hashes), its row against the replay of its events, and its
latest checkpoint entry. Then the admin log's chain and the checkpoint log itself. Cases are read
a batch at a time as plain rows, so memory stays flat over millions of events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.audit import checkpoints
from casework.audit.case_check import EVENT_COLUMNS, check_case
from casework.audit.findings import Finding
from casework.cases import projection
from casework.cases.models import Case
from casework.trail import heads
from casework.trail.chain import GENESIS, admin_entry_hash
from casework.trail.models import AdminLogEntry, CaseEvent
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter
from casework.workflows import registry

BATCH = 500
# A report is read by people: past this many findings, the first ones say enough.
MAX_FINDINGS = 1000

_CASE_COLUMNS = ("id", "checkpointed_count", *projection.PROJECTED)


@dataclass
class VerifyResult:
    ok: bool = True
    checked: int = 0  # events checked
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def first_bad(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def add(self, finding: Finding | None) -> None:
        if finding is not None:
            self.ok = False
            if len(self.findings) < MAX_FINDINGS:
                self.findings.append(finding)


Progress = Callable[[int, int], None]  # (cases checked, cases in all)


def _definitions(session: Session):
    def definition_for(key: str, version: int):
        return registry.get(session=session, key=key, version=version).definition
    return definition_for


def check_admin_log(*, session: Session) -> list[Finding]:
    """The admin log's chain: links, hashes, and a head that matches its last entry."""
    findings: list[Finding] = []
    prev, seq = GENESIS, 0
    rows = session.execute(select(AdminLogEntry.seq, AdminLogEntry.at, AdminLogEntry.actor_id, AdminLogEntry.action,
                                  AdminLogEntry.target_type, AdminLogEntry.target_id, AdminLogEntry.payload,
                                  AdminLogEntry.prev_hash, AdminLogEntry.hash).order_by(AdminLogEntry.seq))
    for entry_seq, at, actor_id, action, target_type, target_id, payload, prev_hash, digest in rows:
        seq += 1
        if entry_seq != seq or prev_hash != prev:
            findings.append(Finding("admin_log_link_broken", seq=entry_seq, record="admin log"))
            return findings
        try:
            body = json.loads(payload)
        except ValueError:
            body = None
        if body is None or admin_entry_hash(seq=entry_seq, at=at, actor_id=actor_id, action=action,
                                            target_type=target_type, target_id=target_id, payload=body,
                                            prev_hash=prev_hash) != digest:
            findings.append(Finding("admin_log_hash_mismatch", seq=entry_seq, record="admin log"))
            return findings
        prev = digest
    if heads.read(session=session, name=heads.ADMIN_LOG) != (seq, prev):
        findings.append(Finding("admin_log_head_mismatch", record="admin log"))
    return findings


def verify_all(*, session: Session, key_path: Path | None = None, user: User | None = None,
               progress: Progress | None = None, batch: int = BATCH,
               ids: tuple[int, int] | None = None) -> VerifyResult:
    """Check every case in `user`'s scope (all of them for None), and with `key_path` the admin
    log and the checkpoint log too; every finding is reported, not only the first. `ids`: only
    the cases with ids from the first up to (not including) the second."""
    result = VerifyResult()
    definition_for = _definitions(session)
    query = select(*(getattr(Case, c) for c in _CASE_COLUMNS))
    count_query = select(func.count()).select_from(Case)
    if user is not None:
        in_scope = Case.unit_id.in_(select(Unit.id).where(unit_filter(user)))
        query, count_query = query.where(in_scope), count_query.where(in_scope)
    if ids is not None:
        query = query.where(Case.id < ids[1])
    total = session.scalar(count_query) if progress else 0
    last_id = ids[0] - 1 if ids is not None else 0
    reading = session.connection()  # plain rows: no ORM loading for millions of them
    while True:
        rows = reading.execute(query.where(Case.id > last_id).order_by(Case.id).limit(batch)).all()
        if not rows:
            break
        batch_ids = [r.id for r in rows]
        events: dict[int, list] = {i: [] for i in batch_ids}
        for event in reading.execute(select(CaseEvent.case_id, *(getattr(CaseEvent, c) for c in EVENT_COLUMNS))
                                     .where(CaseEvent.case_id.in_(batch_ids)).order_by(CaseEvent.case_id, CaseEvent.seq)):
            events[event[0]].append(event[1:])
        recorded = checkpoints.latest_entries(session, batch_ids)
        for row in rows:
            values = row._mapping
            result.cases += 1
            result.checked += len(events[row.id])
            result.add(check_case(values, events[row.id], checkpoint=recorded.get(row.id),
                                  definition_for=definition_for))
        last_id = batch_ids[-1]
        if progress:
            progress(result.cases, total)
    if key_path is not None:
        for finding in check_admin_log(session=session) + checkpoints.check_log(session=session, key_path=key_path):
            result.add(finding)
    return result


def verify_case(*, session: Session, case: Case) -> Finding | None:
    """Check one case's record (its chain, its row, its latest checkpoint entry)."""
    row = {c: getattr(case, c) for c in _CASE_COLUMNS}
    events = session.execute(select(*(getattr(CaseEvent, c) for c in EVENT_COLUMNS))
                             .where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)).all()
    recorded = checkpoints.latest_entries(session, [case.id]).get(case.id)
    return check_case(row, events, checkpoint=recorded, definition_for=_definitions(session))
