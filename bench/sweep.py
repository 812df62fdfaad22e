"""The sweep over 100,000 open cases with 1,000 due, on PostgreSQL: how long finding and chasing them take.

    .venv/bin/python bench/sweep.py [--cases 100000] [--due 1000]

Makes a database of its own on the local server (CASEWORK_BENCH_PG_URL, default the test server),
fills it with COPY-speed inserts, then times the indexed query that finds the due cases, prints its
plan, and times the sweep that chases them (notifications, steps, system events, one transaction
each). Not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, insert, text

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from casework.cases.models import Case  # noqa: E402
from casework.config import Settings  # noqa: E402
from casework.migrate import upgrade  # noqa: E402
from casework.notifications import sweep  # noqa: E402
from casework.paths import workflows_dir  # noqa: E402
from casework.runtime import Runtime  # noqa: E402
from casework.trail.chain import GENESIS  # noqa: E402

ADMIN_URL = os.environ.get("CASEWORK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    name = f"casework_bench_sweep_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        run(url, args.cases, args.due)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(url: str, count: int, due: int) -> None:
    upgrade(url)
    settings = Settings(instance_dir=Path("/tmp"), database_url=url, redis_url=None, storage_dir=Path("/tmp"),
                        secret_key="bench", workflows_dir=workflows_dir(), jobs="manual")
    runtime = Runtime.open(settings)
    runtime.sync_workflows()
    from tests.factories import Factory  # the standard township: units, a leader, a clerk

    with runtime.transaction() as session:
        make = Factory(session)
        leader, clerk = make.user("leader", "township"), make.user("unit", "village")
        campaign, unit = make.campaign(), make.unit("village")
        ids = dict(leader=leader.id, clerk=clerk.id, campaign=campaign.id, unit=unit.id)
    now = datetime(2030, 12, 4, tzinfo=timezone.utc)
    started = time.perf_counter()
    rows = []
    for i in range(count):
        is_due = i % (count // due) == 0
        rows.append(dict(
            number=f"B-{i:07d}", campaign_id=ids["campaign"], unit_id=ids["unit"], assignee_id=ids["clerk"],
            title=f"问题{i}", description="", severity="normal", state="rectifying", workflow_key="default",
            workflow_version=1, self_inspection=False, version=3, chain_head=GENESIS, event_count=0,
            escalation_level=0, opened_by=ids["leader"], created_at=now - timedelta(days=30),
            updated_at=now - timedelta(days=30), state_since=now - timedelta(days=20), clock_seq=1,
            checkpointed_count=0, deadline=date(2030, 11, 30) if is_due else date(2031, 6, 30),
            next_due_at=now - timedelta(hours=1) if is_due else now + timedelta(days=200)))
    with runtime.engine.begin() as conn:
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(Case), rows[start:start + 10_000])
        conn.execute(text("ANALYZE cases"))
    print(f"filled {count} open cases ({due} due) in {time.perf_counter() - started:.1f} s")

    with runtime.sessions() as session:
        timings = []
        for _ in range(5):
            t = time.perf_counter()
            found = sweep.due_cases(session=session, now=now, limit=due)
            timings.append(time.perf_counter() - t)
        print(f"finding the {len(found)} due cases: best {min(timings) * 1000:.2f} ms of 5")
        plan = session.execute(text(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM cases WHERE closed_at IS NULL AND next_due_at <= :now "
            "AND id > 0 ORDER BY id LIMIT 200"), {"now": now}).scalars().all()
        print("plan:\n  " + "\n  ".join(plan))
    t = time.perf_counter()
    sweep.sweep(runtime=runtime, payload={"now": now.isoformat()})
    elapsed = time.perf_counter() - t
    print(f"chasing the {due} due cases (a notification, a step, a chained system event each): "
          f"{elapsed:.2f} s, {elapsed / due * 1000:.1f} ms a case")
    with runtime.sessions() as session:
        left = len(sweep.due_cases(session=session, now=now, limit=due))
    print(f"due after the sweep: {left}")
    runtime.close()


if __name__ == "__main__":
    main()
