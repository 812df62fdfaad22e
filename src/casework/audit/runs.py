"""Verification as a job: started by a request, followed by polling, finished by a worker.

Minutes at millions of events are longer than any request may run, so POST /audit/verify only
records the run and its outbox row; the job checks the record in a snapshot of the database and
writes its progress, batch by batch, in short transactions of its own.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.audit.models import VerificationRun
from casework.audit.verify import verify_all
from casework.db import utcnow
from casework.errors import NotFound
from casework.outbox import service as outbox
from casework.users.models import User
from casework.users.scope import can_see_everything

TOPIC = "audit.verify"


def start(*, session: Session, user: User) -> VerificationRun:
    """Record a run for `user`'s scope and hand it to the workers (after the caller's commit)."""
    run = VerificationRun(requested_by=user.id, status="queued")
    session.add(run)
    session.flush()
    outbox.add(session=session, topic=TOPIC, payload={"run_id": run.id})
    return run


def latest(*, session: Session, user: User, run_id: int | None = None) -> VerificationRun:
    """The user's run `run_id`, or their latest; not found when there is none."""
    query = select(VerificationRun).where(VerificationRun.requested_by == user.id)
    if run_id is not None:
        query = query.where(VerificationRun.id == run_id)
    run = session.scalars(query.order_by(VerificationRun.id.desc()).limit(1)).first()
    if run is None:
        raise NotFound("verification_not_found", ref=run_id or "")
    return run


def run_verification(*, runtime, payload: dict, **_) -> None:
    """The job: verify in a snapshot, reporting progress as it goes (run again, it starts afresh)."""
    with runtime.transaction() as session:
        run = session.get(VerificationRun, payload["run_id"])
        if run is None or run.status == "done":
            return
        user = session.get(User, run.requested_by) if run.requested_by else None
        sees_all = user is None or can_see_everything(session, user)

    def progress(done: int, total: int) -> None:
        with runtime.transaction() as writer:
            writer.execute(update(VerificationRun).where(VerificationRun.id == payload["run_id"])
                           .values(status="running", cases_done=done, cases_total=total))

    with runtime.transaction() as writer:
        writer.execute(update(VerificationRun).where(VerificationRun.id == payload["run_id"])
                       .values(status="running", started_at=utcnow()))
    # The admin log and the checkpoint log belong to those who see the whole tree.
    key_path = runtime.settings.checkpoint_key_path if sees_all else None
    with runtime.snapshot() as reading:
        scoped = reading.get(User, user.id) if user is not None else None
        result = verify_all(session=reading, user=scoped, key_path=key_path, progress=progress)
    with runtime.transaction() as writer:
        writer.execute(update(VerificationRun).where(VerificationRun.id == payload["run_id"]).values(
            status="done", ok=result.ok, checked=result.checked, cases_done=result.cases,
            cases_total=result.cases, finished_at=utcnow(),
            findings=json.dumps([asdict(f) for f in result.findings], ensure_ascii=False)))
