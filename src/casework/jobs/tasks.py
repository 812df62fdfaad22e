"""What RQ workers call, by import path: `casework.jobs.tasks.run_outbox(outbox_id)`.

Each RQ work-horse is a fresh fork, so the runtime (engine, settings) is opened in it on first
use rather than inherited from the parent, whose pooled connections must not be shared.
"""

from __future__ import annotations

import os

from casework.jobs.execute import execute

_runtime = None
_pid = None


def worker_runtime():
    """This process's runtime, opened from the environment on first use."""
    global _runtime, _pid
    if _runtime is None or _pid != os.getpid():
        from casework.config import Settings
        from casework.runtime import Runtime

        _runtime, _pid = Runtime.open(Settings.from_env()), os.getpid()
    return _runtime


def run_outbox(outbox_id: int) -> bool:
    """Do the work of one outbox row (RQ's retries and timeouts wrap this call)."""
    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        # Which process does the work: an operator looking at a stuck job can find it.
        job.meta["pid"] = os.getpid()
        job.save_meta()
    return execute(worker_runtime(), outbox_id)
