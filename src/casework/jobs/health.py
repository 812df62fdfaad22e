"""What operators ask of the background work: what failed, what waits, who is working."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casework.jobs.dispatch import rq_job_id
from casework.jobs.registry import QUEUES


@dataclass(frozen=True)
class FailedJob:
    id: str  # the RQ job id, the outbox row id in-process, or delivery-N for a channel delivery
    description: str
    error: str
    ended_at: datetime | None


def _connection(settings):
    from redis import Redis

    return Redis.from_url(settings.redis_url, socket_connect_timeout=2)


DELIVERY_PREFIX = "delivery-"


def _failed_deliveries(runtime) -> list[FailedJob]:
    """Channel deliveries that failed for good: their retries are their own, so RQ never sees them fail."""
    from casework.channels import delivery

    with runtime.transaction() as session:
        return [FailedJob(f"{DELIVERY_PREFIX}{d.id}", f"channels.send {c.kind} #{c.id} {c.name}", d.last_error or "",
                          d.created_at) for d, c in delivery.failed(session=session)]


def failed(runtime) -> list[FailedJob]:
    """Jobs that failed for good (their retries used up), and channel deliveries that did."""
    return _failed_jobs(runtime) + _failed_deliveries(runtime)


def _failed_jobs(runtime) -> list[FailedJob]:
    if runtime.settings.redis_url:
        from rq import Queue
        from rq.job import Job
        from rq.registry import FailedJobRegistry

        found = []
        connection = _connection(runtime.settings)
        for name in QUEUES:
            registry = FailedJobRegistry(queue=Queue(name, connection=connection))
            for job in Job.fetch_many(registry.get_job_ids(), connection=connection):
                if job is None:
                    continue
                result = job.latest_result()
                error = (result.exc_string or "").strip() if result else ""
                found.append(FailedJob(job.id, job.description or "", error.splitlines()[-1] if error else "",
                                       job.ended_at))
        return found
    from casework.outbox import service as outbox

    with runtime.transaction() as session:
        return [FailedJob(str(m.id), f"{m.topic} #{m.id}", m.last_error or "", None)
                for m in outbox.failed(session=session)]


def requeue(runtime, ids: list[str] | None) -> int:
    """Put failed jobs and deliveries back (every one for None); how many."""
    from casework.channels import delivery

    deliveries = None if ids is None else [int(i.removeprefix(DELIVERY_PREFIX)) for i in ids
                                           if i.startswith(DELIVERY_PREFIX) and i.removeprefix(DELIVERY_PREFIX).isdigit()]
    with runtime.transaction() as session:
        count = delivery.requeue(session=session, ids=deliveries) if deliveries != [] else 0
    jobs = None if ids is None else [i for i in ids if not i.startswith(DELIVERY_PREFIX)]
    return count + (_requeue_jobs(runtime, jobs) if jobs != [] else 0)


def _requeue_jobs(runtime, ids: list[str] | None) -> int:
    if runtime.settings.redis_url:
        from rq import Queue
        from rq.registry import FailedJobRegistry

        count = 0
        connection = _connection(runtime.settings)
        for name in QUEUES:
            registry = FailedJobRegistry(queue=Queue(name, connection=connection))
            for job_id in registry.get_job_ids():
                if ids is None or job_id in ids or job_id in {rq_job_id(int(i)) for i in ids if i.isdigit()}:
                    registry.requeue(job_id)
                    count += 1
        return count
    from casework.outbox import service as outbox

    with runtime.transaction() as session:
        return outbox.requeue(session=session, ids=None if ids is None else [int(i) for i in ids if i.isdigit()])


def status_lines(runtime) -> list[str]:
    """A few lines an operator reads to see whether the background work is healthy."""
    from datetime import timedelta

    from casework.jobs import periodic
    from casework.outbox import service as outbox

    lines = [f"jobs run: {runtime.settings.job_mode()}"]
    if runtime.settings.redis_url:
        from rq import Queue, Worker

        connection = _connection(runtime.settings)
        for name in QUEUES:
            lines.append(f"queue {name}: {Queue(name, connection=connection).count} waiting")
        workers = Worker.all(connection=connection)
        lines.append(f"workers: {len(workers)} ({', '.join(sorted(w.name for w in workers)) or 'none running'})")
    with runtime.transaction() as session:
        lines.append(f"outbox: {outbox.lost_since(session=session, age=timedelta(minutes=1))} row(s) waiting "
                     "over a minute to be handed out")
        for name, at in sorted(periodic.next_runs(session=session).items()):
            lines.append(f"next {name}: {at:%Y-%m-%d %H:%M:%S} UTC")
    return lines
