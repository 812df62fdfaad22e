"""Running an RQ worker for Casework's queues, with the background loop beside it."""

from __future__ import annotations

from redis import Redis
from rq import Queue, Worker

from casework.config import Settings
from casework.jobs.registry import QUEUES


def run_worker(settings: Settings, *, burst: bool = False, loop: bool = True) -> bool:
    """Work the queues (with RQ's scheduler, which delayed retries need) until stopped.

    The loop hands out outbox rows no commit handed out and claims periodic work (the sweep,
    checkpoints); several workers may run it at once, the claims keep each run single.
    """
    from casework.jobs.loop import BackgroundLoop
    from casework.runtime import Runtime

    runtime = Runtime.open(settings)
    background = BackgroundLoop(runtime).start() if loop else None
    connection = Redis.from_url(settings.redis_url)
    try:
        worker = Worker([Queue(name, connection=connection) for name in QUEUES], connection=connection)
        return worker.work(with_scheduler=True, burst=burst)
    finally:
        if background is not None:
            background.stop()
        runtime.close()
