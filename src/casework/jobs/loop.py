"""The background loop of `casework worker` and `casework serve`: every few seconds, hand out
outbox rows that no commit handed out (Redis was down, a process died) and claim periodic work."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from casework.channels.delivery import wake_due
from casework.jobs import periodic

log = logging.getLogger("casework.jobs")


class BackgroundLoop:
    def __init__(self, runtime, *, interval: float = 5.0) -> None:
        from casework.jobs.dispatch import attach

        attach(runtime)
        self.runtime = runtime
        self.interval = interval
        self.tasks = periodic.standard(sweep_every=timedelta(seconds=runtime.settings.sweep_seconds),
                                       report_hour=runtime.settings.daily_report_hour,
                                       zone=runtime.settings.timezone)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def once(self) -> None:
        """One pass: periodic claims and channel deliveries due again first (they add outbox rows),
        then the catch-up dispatch."""
        try:
            periodic.tick(runtime=self.runtime, tasks=self.tasks)
        except Exception:  # noqa: BLE001 - a database hiccup; the next pass tries again
            log.exception("periodic claims failed")
        try:
            with self.runtime.transaction() as session:
                wake_due(session=session)  # channel deliveries whose retry or turn has come
        except Exception:  # noqa: BLE001 - the next pass tries again
            log.exception("waking channel deliveries failed")
        try:
            self.runtime.jobs.dispatch_pending(settled=False)
        except Exception:  # noqa: BLE001
            log.exception("catch-up dispatch failed")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.once()

    def start(self) -> "BackgroundLoop":
        self.once()
        self._thread = threading.Thread(target=self._run, name="casework-loop", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval * 2)
