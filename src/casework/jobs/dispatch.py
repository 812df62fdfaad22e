"""Handing committed outbox rows to the workers: RQ on Redis, or the in-process runner.

Each row becomes a job whose RQ id is the row's id, enqueued with `unique=True`, so handing a row
out twice never makes a second job. A row is marked dispatched only once the queue has it; if
Redis is down, the change that wrote the row has committed all the same and the row waits for
the next pass (every few seconds in `casework worker` and `casework serve`).

After a commit, the rows it wrote are handed out by id on the process's dispatch thread, without
looking for them, and marked together in one statement: that is most of what firing an event costs
besides the change itself. The catch-up pass claims what is left with `SKIP LOCKED`.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from datetime import timedelta

from sqlalchemy import text

from casework.db import utcnow
from casework.jobs.registry import handler_for
from casework.outbox import service as outbox

log = logging.getLogger("casework.jobs")

# A row younger than this is left to the dispatch its own commit started.
SETTLE = timedelta(seconds=2)
BATCH = 200
# Retries of a failed RQ job: soon at first, then further apart.
RETRY_INTERVALS = [10, 60, 300, 1800]


def rq_job_id(outbox_id: int) -> str:
    return f"outbox-{outbox_id}"  # RQ ids may hold only letters, digits, '_' and '-'


class Dispatcher:
    """Moves outbox rows to where their jobs run (`mode`: "rq", "local" or "manual")."""

    def __init__(self, runtime, *, mode: str) -> None:
        self.runtime = runtime
        self.mode = mode
        self._local = None
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._lock_thread = threading.Lock()
        self._thread: threading.Thread | None = None
        self._redis = None
        self._fresh: deque[tuple[int, str]] = deque()  # (outbox id, topic) of rows just committed

    @property
    def local(self):
        if self._local is None:
            from casework.jobs.local import LocalJobs

            self._local = LocalJobs(self.runtime)
        return self._local

    def _queue(self, name: str):
        from redis import Redis
        from rq import Queue

        if self._redis is None:
            self._redis = Redis.from_url(self.runtime.settings.redis_url, socket_connect_timeout=2,
                                         socket_timeout=5)
        return Queue(name, connection=self._redis)

    def _enqueue(self, outbox_id: int, topic: str) -> None:
        # "manual" too: a pass a commit's kick started inside run_pending may outlast it.
        if self.mode in ("local", "manual"):
            self.local.submit(outbox_id)
            return
        from rq import Retry
        from rq.exceptions import DuplicateJobError

        handler = handler_for(topic)
        try:
            self._queue(handler.queue).enqueue(
                "casework.jobs.tasks.run_outbox", outbox_id, job_id=rq_job_id(outbox_id), unique=True,
                retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS), job_timeout=handler.timeout,
                result_ttl=3600, failure_ttl=30 * 24 * 3600, description=f"{topic} #{outbox_id}")
        except DuplicateJobError:
            pass  # handed out before, by a pass that died before saying so: the job exists

    def _hand_out(self, rows: list[tuple[int, str]]) -> list[int]:
        """Enqueue rows in order until one fails (Redis down: the rest wait); the ids handed out."""
        done = []
        for outbox_id, topic in rows:
            try:
                self._enqueue(outbox_id, topic)
            except Exception as exc:  # noqa: BLE001 - Redis down: the rows wait for the next pass
                log.warning("could not hand out outbox #%d (%s); it waits for the next pass", outbox_id, exc)
                break
            done.append(outbox_id)
        return done

    def _mark(self, session, ids: list[int]) -> None:
        if session.get_bind().dialect.name == "postgresql":
            # Losing this mark in a crash costs nothing (a row handed out again makes no second
            # job), so it need not wait for the disk.
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        outbox.mark_dispatched(session=session, ids=ids)

    def dispatch_pending(self, *, settled: bool = False) -> int:
        """Hand out rows not handed out yet; how many. `settled`: only rows older than SETTLE."""
        if self.mode == "manual":
            return 0
        handed = 0
        while True:
            with self._lock, self.runtime.transaction() as session:
                rows = outbox.claim_undispatched(session=session, limit=BATCH,
                                                 settled_before=utcnow() - SETTLE if settled else None)
                done = self._hand_out([(message.id, message.topic) for message in rows])
                self._mark(session, done)
            handed += len(done)
            if len(done) < BATCH:
                return handed

    def kick(self, written: list[tuple[int, str]]) -> None:
        """After a commit that wrote outbox rows ((id, topic) each): hand them out soon, on this
        process's dispatch thread, never in the request (a Redis outage would otherwise hold it
        for seconds)."""
        if self.mode == "manual":
            return
        self._fresh.extend(written)
        with self._lock_thread:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve_kicks, name="casework-dispatch", daemon=True)
                self._thread.start()
        self._wake.set()

    def _serve_kicks(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()  # kicks during this pass wake the next one
            try:
                self._dispatch_fresh()
            except Exception:  # noqa: BLE001 - the periodic pass will pick the rows up
                log.exception("dispatch after commit failed")

    def _dispatch_fresh(self) -> None:
        """The rows every kick since the last pass named: enqueued, then marked in one statement."""
        fresh = []
        while self._fresh:
            fresh.append(self._fresh.popleft())
        done = self._hand_out(fresh)
        if done:
            with self.runtime.transaction() as session:
                self._mark(session, done)

    def run_pending(self) -> int:
        """Tests and the command line: dispatch now and wait for in-process jobs to finish."""
        mode, self.mode = self.mode, ("local" if self.mode == "manual" else self.mode)
        try:
            handed = self.dispatch_pending()
            if self.mode == "local":
                self.local.drain()
            return handed
        finally:
            self.mode = mode

    def close(self) -> None:
        if self._local is not None:
            self._local.close()


def attach(runtime) -> Dispatcher:
    """Give `runtime` its dispatcher (once): commits that write outbox rows then hand them out."""
    if runtime.jobs is None:
        runtime.jobs = Dispatcher(runtime, mode=runtime.settings.job_mode())
    return runtime.jobs
