"""Verifying a large install on every core: the cases split by id among processes that all read
the one snapshot the command took, so the answer is that of a single moment, as one process's is.

PostgreSQL only (an exported snapshot, `SET TRANSACTION SNAPSHOT`); on SQLite `audit verify` runs
in one process. Checking an event is Python work (its canonical text and SHA-256), so two
processes on two cores take about half the time.
"""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casework.audit import checkpoints
from casework.audit.verify import Progress, VerifyResult, check_admin_log, verify_all
from casework.cases.models import Case

# Cases per task: small enough that the progress moves and the processes finish together.
SLICE = 20_000

_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")
_engine = None  # each worker process's own


def _start_worker(url: str) -> None:
    global _engine
    from casework.db import make_engine

    _engine = make_engine(url, pool_size=1, max_overflow=0)


def _verify_slice(job: tuple[str, int, int]) -> VerifyResult:
    snapshot, first, end = job
    with _engine.connect() as connection:
        connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # A utility statement takes no parameters; the id is PostgreSQL's own, checked all the same.
        if not _SNAPSHOT_ID.fullmatch(snapshot):
            raise ValueError(f"not a snapshot id: {snapshot!r}")
        connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        with Session(bind=connection) as session:
            result = verify_all(session=session, ids=(first, end))
        connection.rollback()
    return result


def verify_all_parallel(*, session: Session, url: str, processes: int, key_path: Path | None = None,
                        progress: Progress | None = None) -> VerifyResult:
    """What `verify_all` finds, with the cases checked by `processes` processes. `session` is the
    caller's snapshot (REPEATABLE READ); it stays open until every process has finished."""
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    low, high, total = session.execute(select(func.min(Case.id), func.max(Case.id), func.count())).one()
    result, found = VerifyResult(), []
    if total:
        jobs = [(snapshot, first, first + SLICE) for first in range(low, high + 1, SLICE)]
        context = multiprocessing.get_context("spawn")  # no inherited connections or threads
        with context.Pool(processes, initializer=_start_worker, initargs=(url,)) as pool:
            for part in pool.imap_unordered(_verify_slice, jobs):
                result.cases += part.cases
                result.checked += part.checked
                found += part.findings
                if progress:
                    progress(result.cases, total)
    # In the order one process reports them in, the first ones kept if there are too many.
    for finding in sorted(found, key=lambda finding: finding.case_id or 0):
        result.add(finding)
    if key_path is not None:
        for finding in check_admin_log(session=session) + checkpoints.check_log(session=session, key_path=key_path):
            result.add(finding)
    return result
