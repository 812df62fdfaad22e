"""Every job there is: the outbox topic, the function that does its work, and its queue.

Handlers take keyword arguments (`session`, `runtime`, `payload`) and run inside the transaction
the job opens; what they write commits together with the row being marked done, so a job that
dies half-way leaves nothing and is run again. A `long` handler (verification, a closure pack)
gets no session: it opens its own short transactions, so it never holds the database's write lock
for minutes, and must be safe to run again from the start.

The work lives in the domain packages, which know nothing of queues; this table is the one place
that ties a topic to its work, so the jobs package depends on them and never the reverse.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

# Short jobs (reminders, notifications) must not wait behind long ones (verification, packs).
QUICK = "casework"
SLOW = "casework-slow"
QUEUES = (QUICK, SLOW)


@dataclass(frozen=True)
class Handler:
    topic: str
    run: Callable
    queue: str = QUICK
    timeout: int = 300  # seconds a worker gives the job before it is killed and retried
    long: bool = False


@functools.cache
def handlers() -> dict[str, Handler]:
    from casework.audit import runs
    from casework.cases.findings_import import IMPORTED
    from casework.cases.service import CASE_EVENT
    from casework.channels import delivery, fanout
    from casework.closure import build
    from casework.jobs import housekeeping, periodic
    from casework.notifications import case_events, imports, sweep
    from casework.notifications.service import OUTBOUND
    from casework.reports import notices

    table = [
        Handler(CASE_EVENT, case_events.on_case_event),
        Handler(IMPORTED, imports.on_findings_imported),
        Handler(sweep.TOPIC, sweep.sweep, timeout=1800, long=True),
        Handler(periodic.CHECKPOINT, housekeeping.checkpoint, queue=SLOW, timeout=1800),
        Handler(build.TOPIC, build.build, queue=SLOW, timeout=900, long=True),
        Handler(periodic.DAILY_REPORT, notices.announce_daily),
        Handler(periodic.FORGET_KEYS, housekeeping.forget_keys),
        Handler(runs.TOPIC, runs.run_verification, queue=SLOW, timeout=4 * 3600, long=True),
        Handler(OUTBOUND, fanout.fan_out),
        # A send talks to the network with no transaction open; its retries are its own (delivery.py).
        Handler(fanout.SEND, delivery.send, timeout=120, long=True),
    ]
    return {handler.topic: handler for handler in table}


def handler_for(topic: str) -> Handler:
    return handlers()[topic]
