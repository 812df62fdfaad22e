"""Running an RQ worker for Casework's queue."""

from __future__ import annotations

from redis import Redis
from rq import Queue, Worker

from casework.config import Settings

QUEUE = "casework"


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    """Work the queue (with the scheduler, which delayed retries need); returns when stopped."""
    connection = Redis.from_url(settings.redis_url)
    worker = Worker([Queue(QUEUE, connection=connection)], connection=connection)
    return worker.work(with_scheduler=True, burst=burst)
