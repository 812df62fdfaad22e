"""Checkpoints: signed, hash-linked statements of every changed case's (event count, chain head).

Like a transparency log's signed tree heads. Each checkpoint records only the cases whose count
moved since the one before (found through a partial index, so its cost grows with the changes,
not with the number of cases), after checking that each still extends the head it had then. It
also records the admin log's head. Auditors download the log and the public key and keep them
elsewhere; `verify` checks the log's links and signatures, and every case against its latest entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, func, select, tuple_, update
from sqlalchemy.orm import Session

from casework.audit import signing
from casework.audit.findings import Finding
from casework.cases.models import Case
from casework.db import utcnow
from casework.errors import NotFound
from casework.trail import heads
from casework.trail.chain import GENESIS, canonical_time, digest
from casework.trail.models import CaseEvent, Checkpoint, CheckpointEntry

BATCH = 1000


@dataclass(frozen=True)
class Made:
    checkpoint: Checkpoint | None
    findings: list[Finding]


def root_of(entries: list[tuple[int, int, str]]) -> str:
    """SHA-256 over the sorted entries, one line "case_id event_count head" each."""
    sha = hashlib.sha256()
    for case_id, count, head in sorted(entries):
        sha.update(f"{case_id} {count} {head}\n".encode())
    return sha.hexdigest()


def statement(checkpoint: Checkpoint) -> dict:
    """What a checkpoint's hash and signature cover."""
    return {"seq": checkpoint.seq, "at": canonical_time(checkpoint.at), "entry_count": checkpoint.entry_count,
            "root": checkpoint.root, "admin_seq": checkpoint.admin_seq, "admin_head": checkpoint.admin_head,
            "prev_hash": checkpoint.prev_hash, "key_id": checkpoint.key_id}


def latest_entries(session: Session, case_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The latest checkpoint entry (event count, head) of each of these cases that has one."""
    newest = (select(CheckpointEntry.case_id, func.max(CheckpointEntry.checkpoint_seq).label("seq"))
              .where(CheckpointEntry.case_id.in_(case_ids)).group_by(CheckpointEntry.case_id).subquery())
    rows = session.execute(
        select(CheckpointEntry.case_id, CheckpointEntry.event_count, CheckpointEntry.head)
        .join(newest, and_(CheckpointEntry.case_id == newest.c.case_id, CheckpointEntry.checkpoint_seq == newest.c.seq))
    ).all()
    return {case_id: (count, head) for case_id, count, head in rows}


def _still_extends(session: Session, changed: list[tuple[int, str, int, str]]) -> list[Finding]:
    """Each changed case's chain must still hold, at its last checkpointed count, the head recorded then."""
    findings: list[Finding] = []
    recorded = latest_entries(session, [case_id for case_id, *_ in changed])
    wanted = [(case_id, count) for case_id, (count, _head) in recorded.items()]
    if not wanted:
        return findings
    stored = dict(session.execute(
        select(CaseEvent.case_id, CaseEvent.hash).where(tuple_(CaseEvent.case_id, CaseEvent.seq).in_(wanted))
    ).all())
    numbers = {case_id: number for case_id, number, *_ in changed}
    for case_id, (count, head) in recorded.items():
        if stored.get(case_id) is None:
            findings.append(Finding("checkpoint_shortened", case_id, numbers[case_id], None, "event_count",
                                    expected=str(count)))
        elif stored[case_id] != head:
            findings.append(Finding("checkpoint_rewritten", case_id, numbers[case_id], count))
    return findings


def make(*, session: Session, key_path: Path) -> Made:
    """Write the next checkpoint, in the caller's transaction; None when nothing changed since the last.

    A changed case whose chain no longer extends its last checkpointed head is reported and left
    out (its old entry stays the latest, so `verify` keeps reporting it).
    """
    key = signing.load_key(key_path, create=True)
    head = heads.lock(session=session, name=heads.CHECKPOINTS)
    seq = head.seq + 1
    entries: list[tuple[int, int, str]] = []
    findings: list[Finding] = []
    after = 0
    while True:
        changed = session.execute(
            select(Case.id, Case.number, Case.event_count, Case.chain_head)
            .where(Case.event_count != Case.checkpointed_count, Case.id > after).order_by(Case.id).limit(BATCH)
        ).all()
        if not changed:
            break
        problems = _still_extends(session, [tuple(r) for r in changed])
        findings += problems
        bad = {f.case_id for f in problems}
        good = [(case_id, count, chain_head) for case_id, _n, count, chain_head in changed if case_id not in bad]
        entries += good
        if good:
            session.execute(CheckpointEntry.__table__.insert(), [
                {"checkpoint_seq": seq, "case_id": case_id, "event_count": count, "head": chain_head}
                for case_id, count, chain_head in good])
            for case_id, count, _head in good:
                session.execute(update(Case).where(Case.id == case_id).values(checkpointed_count=count)
                                .execution_options(synchronize_session=False))
        after = changed[-1][0]
    admin_seq, admin_head = heads.read(session=session, name=heads.ADMIN_LOG)
    if not entries and admin_seq == _last_admin_seq(session):
        return Made(None, findings)
    checkpoint = Checkpoint(seq=seq, at=utcnow(), entry_count=len(entries), root=root_of(entries),
                            admin_seq=admin_seq, admin_head=admin_head, prev_hash=head.hash,
                            key_id=signing.key_id(key), hash="", signature="")
    checkpoint.hash = digest(statement(checkpoint))
    checkpoint.signature = signing.sign(key, checkpoint.hash)
    session.add(checkpoint)
    head.seq, head.hash = seq, checkpoint.hash
    session.flush()
    return Made(checkpoint, findings)


def _last_admin_seq(session: Session) -> int:
    last = session.scalars(select(Checkpoint.admin_seq).order_by(Checkpoint.seq.desc()).limit(1)).first()
    return last if last is not None else 0


def check_log(*, session: Session, key_path: Path) -> list[Finding]:
    """The checkpoint log's own findings: links, hashes, signatures, roots, a missing last one."""
    findings: list[Finding] = []
    try:
        key = signing.load_key(key_path, create=False)
    except signing.KeyMissing:
        key = None
    prev, count = GENESIS, 0
    for checkpoint in session.scalars(select(Checkpoint).order_by(Checkpoint.seq)):
        count += 1
        where = f"checkpoint {checkpoint.seq}"
        if checkpoint.seq != count or checkpoint.prev_hash != prev:
            findings.append(Finding("checkpoint_link_broken", seq=checkpoint.seq, record=where))
        if digest(statement(checkpoint)) != checkpoint.hash:
            findings.append(Finding("checkpoint_hash_mismatch", seq=checkpoint.seq, record=where))
        if key is not None and not signing.is_valid(key, checkpoint.hash, checkpoint.signature):
            findings.append(Finding("checkpoint_signature_bad", seq=checkpoint.seq, record=where))
        entries = session.execute(select(CheckpointEntry.case_id, CheckpointEntry.event_count, CheckpointEntry.head)
                                  .where(CheckpointEntry.checkpoint_seq == checkpoint.seq)).all()
        if len(entries) != checkpoint.entry_count or root_of([tuple(e) for e in entries]) != checkpoint.root:
            findings.append(Finding("checkpoint_root_mismatch", seq=checkpoint.seq, record=where))
        prev = checkpoint.hash
        session.expunge(checkpoint)
    recorded_seq, recorded_hash = heads.read(session=session, name=heads.CHECKPOINTS)
    if recorded_seq != count or recorded_hash != prev:
        findings.append(Finding("checkpoint_missing", record="checkpoints", expected=str(recorded_seq),
                                found=str(count)))
    if count and key is None:
        findings.append(Finding("checkpoint_key_missing", record="checkpoints"))
    deleted = session.execute(
        select(CheckpointEntry.case_id).where(~CheckpointEntry.case_id.in_(select(Case.id))).distinct().limit(100)
    ).scalars().all()
    findings += [Finding("checkpoint_case_deleted", case_id=case_id) for case_id in deleted]
    return findings


def log(*, session: Session) -> list[Checkpoint]:
    """Every checkpoint, oldest first."""
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.seq)))


def entries_of(*, session: Session, seq: int) -> tuple[Checkpoint, list[CheckpointEntry]]:
    """One checkpoint and the case entries it recorded; not found when there is no such checkpoint."""
    checkpoint = session.scalars(select(Checkpoint).where(Checkpoint.seq == seq)).first()
    if checkpoint is None:
        raise NotFound("checkpoint_not_found", ref=seq)
    rows = session.scalars(select(CheckpointEntry).where(CheckpointEntry.checkpoint_seq == seq)
                           .order_by(CheckpointEntry.case_id))
    return checkpoint, list(rows)


def public_key(*, key_path: Path) -> tuple[str, str] | None:
    """(PEM, key id) of the checkpoint key, if it has been made."""
    try:
        key = signing.load_key(key_path, create=False)
    except signing.KeyMissing:
        return None
    return signing.public_pem(key), signing.key_id(key)
