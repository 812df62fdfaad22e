"""Running one job: the outbox row's work in a transaction of its own, logged and timed.

Safe to run twice: a row already done is skipped, and the work commits together with the row
being marked done, so a worker killed half-way leaves nothing behind and the retry starts afresh.
"""

from __future__ import annotations

import json
import logging
import time

from sqlalchemy import select

from casework.db import utcnow
from casework.jobs.registry import handler_for
from casework.outbox.models import OutboxMessage

log = logging.getLogger("casework.jobs")


def execute(runtime, outbox_id: int) -> bool:
    """Do the work of outbox row `outbox_id`; False when it was already done (or is gone)."""
    started = time.monotonic()
    with runtime.transaction() as session:
        message = session.execute(select(OutboxMessage).where(OutboxMessage.id == outbox_id)
                                  .with_for_update()).scalar_one_or_none()
        if message is None or message.done_at is not None:
            return False
        topic, payload = message.topic, json.loads(message.payload)
        handler = handler_for(topic)
        if not handler.long:
            _run(handler, topic, outbox_id, started, session=session, runtime=runtime, payload=payload,
                 message_id=outbox_id)
            message.done_at = utcnow()
    if handler.long:
        _run(handler, topic, outbox_id, started, runtime=runtime, payload=payload, message_id=outbox_id)
        with runtime.transaction() as session:
            session.get(OutboxMessage, outbox_id).done_at = utcnow()
    log.info("job %s #%d done in %.3f s", topic, outbox_id, time.monotonic() - started)
    return True


def _run(handler, topic: str, outbox_id: int, started: float, **arguments) -> None:
    try:
        handler.run(**arguments)
    except Exception:
        log.exception("job %s #%d failed after %.3f s", topic, outbox_id, time.monotonic() - started)
        raise
