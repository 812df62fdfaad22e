"""SQLite writers in one process take turns on a lock instead of polling the database.

SQLite has one writer at a time, and a waiting one polls with growing sleeps, so under load some
requests waited seconds while others passed. Within the process, writers queue on a lock instead
and each goes the moment the one before it has committed; another process (the CLI, an RQ worker)
is still held off by SQLite's own busy timeout.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


class WriterQueue:
    """The lock, and which DBAPI connections' transactions hold it."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.lock = threading.Lock()
        self.holders: set[int] = set()

    def take(self, dbapi_connection, timeout: float) -> None:
        # Bounded: a thread that already holds a transaction and begins another fails after the
        # busy timeout as before, instead of waiting for itself forever.
        if self.lock.acquire(timeout=timeout):
            self.holders.add(id(dbapi_connection))

    def let_go(self, connection) -> None:
        # Called with the pool's proxy (commit, rollback) or the DBAPI connection (pool events).
        key = id(getattr(connection, "dbapi_connection", connection))
        if key in self.holders:
            self.holders.discard(key)
            self.lock.release()


_QUEUES: weakref.WeakSet[WriterQueue] = weakref.WeakSet()
_FORK_HOOKED = threading.Lock()
_hooked = False


def _after_fork_in_child() -> None:
    # A process forked while another thread held the lock (an RQ work-horse, say) would inherit
    # it held, with no thread left to let it go.
    for queue in list(_QUEUES):
        queue.reset()


def queue_writers(engine: Engine, *, timeout: float, reads_alone: Callable[[Connection], bool]) -> WriterQueue:
    """Make `engine`'s transactions take the write lock at BEGIN, in turn. One for which
    `reads_alone(connection)` holds begins deferred instead and waits for nobody."""
    global _hooked
    with _FORK_HOOKED:
        if not _hooked:
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _hooked = True
    queue = WriterQueue()
    _QUEUES.add(queue)

    # pysqlite opens transactions lazily, so a read that later writes would fail at once with
    # "database is locked": the write lock is taken at BEGIN (SQLAlchemy's documented recipe).
    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if reads_alone(connection):
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = connection.connection.dbapi_connection
        queue.take(dbapi_connection, timeout)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            queue.let_go(dbapi_connection)
            raise

    # Let go once the COMMIT or ROLLBACK is done (the engine's own events come just before it),
    # and when a connection is dropped with its transaction open.
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection) -> None:
        try:
            commit(dbapi_connection)
        finally:
            queue.let_go(dbapi_connection)

    def do_rollback(dbapi_connection) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            queue.let_go(dbapi_connection)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
    for dropped in ("invalidate", "close", "detach"):
        event.listen(engine, dropped, lambda dbapi_connection, *_: queue.let_go(dbapi_connection))
    return queue
