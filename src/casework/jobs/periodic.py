"""Periodic work (the sweep every minute, a checkpoint every hour, old idempotency keys daily),
claimed in the database so that it runs once per period however many processes look.

Every `casework worker` and `casework serve` ticks; the first to move a schedule's next run on
(one conditional UPDATE) adds its outbox row, and the others find it moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.jobs.models import Schedule
from casework.outbox import service as outbox


@dataclass(frozen=True)
class Periodic:
    name: str  # also the outbox topic of its job
    every: timedelta | None = None
    # Instead of every so often: once a day at this local hour (a report people read each morning).
    daily_at: int | None = None
    zone: str = "Asia/Shanghai"

    def first_run(self, now: datetime) -> datetime:
        return now if self.daily_at is None else self.following(now - timedelta(days=1))

    def following(self, now: datetime) -> datetime:
        """When it is due next after a run at `now`."""
        if self.daily_at is None:
            return now + self.every
        local = now.astimezone(ZoneInfo(self.zone))
        due = local.replace(hour=self.daily_at, minute=0, second=0, microsecond=0)
        if due <= local:
            due += timedelta(days=1)
        return due.astimezone(ZoneInfo("UTC"))


def claim(*, session: Session, task: Periodic, now: datetime) -> bool:
    """Whether this process runs `task` now (its period has come and nobody took it yet)."""
    if session.get(Schedule, task.name) is None:
        session.add(Schedule(name=task.name, next_run_at=task.first_run(now)))
        session.flush()
    moved = session.execute(
        update(Schedule).where(Schedule.name == task.name, Schedule.next_run_at <= now)
        .values(next_run_at=task.following(now), last_run_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        outbox.add(session=session, topic=task.name, payload={"now": now.isoformat()})
    return bool(moved)


def tick(*, runtime, tasks: list[Periodic], now: datetime | None = None) -> list[str]:
    """Claim whatever periodic work is due; the names claimed."""
    now = now or utcnow()
    claimed = []
    for task in tasks:
        with runtime.transaction() as session:
            if claim(session=session, task=task, now=now):
                claimed.append(task.name)
    return claimed


def next_runs(*, session: Session) -> dict[str, datetime]:
    return dict(session.execute(select(Schedule.name, Schedule.next_run_at)).all())


CHECKPOINT = "audit.checkpoint"
FORGET_KEYS = "idempotency.forget"
DAILY_REPORT = "reports.daily"


def standard(*, sweep_every: timedelta, report_hour: int, zone: str) -> list[Periodic]:
    """The periodic work of every install."""
    from casework.notifications.sweep import TOPIC as SWEEP

    return [Periodic(SWEEP, sweep_every), Periodic(CHECKPOINT, timedelta(hours=1)),
            Periodic(FORGET_KEYS, timedelta(days=1)), Periodic(DAILY_REPORT, daily_at=report_hour, zone=zone)]
