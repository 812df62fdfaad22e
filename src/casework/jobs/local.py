"""Jobs in the web process, for the embedded default (no Redis): the same job functions, run on a
small pool of threads after commit, so a request never waits for them."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from casework.jobs.execute import execute
from casework.outbox import service as outbox

log = logging.getLogger("casework.jobs")


class LocalJobs:
    def __init__(self, runtime, *, threads: int = 2) -> None:
        self._runtime = runtime
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="casework-job")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, outbox_id: int) -> None:
        future = self._pool.submit(self._run, outbox_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _run(self, outbox_id: int) -> None:
        try:
            execute(self._runtime, outbox_id)
        except Exception as exc:  # noqa: BLE001 - logged by execute; handed back for a later retry
            with self._runtime.transaction() as session:
                outbox.give_back(session=session, outbox_id=outbox_id, error=f"{type(exc).__name__}: {exc}")

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, timeout: float = 30) -> None:
        """Wait until every job submitted so far has finished (tests, shutting down)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
