"""The periodic jobs that keep the record: an hourly checkpoint, and forgetting old idempotency keys."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from casework.audit import checkpoints
from casework.idempotency import service as idempotency

log = logging.getLogger("casework.jobs")


def checkpoint(*, session: Session, runtime, **_) -> None:
    """Write a checkpoint of whatever changed in the last hour (nothing when nothing did)."""
    made = checkpoints.make(session=session, key_path=runtime.settings.checkpoint_key_path)
    for finding in made.findings:
        log.error("checkpoint: %s", finding.line())


def forget_keys(*, session: Session, **_) -> None:
    idempotency.forget_old(session=session)
