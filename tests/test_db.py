"""The embedded database: SQLite writers in one process queue on a lock, in turn, and let go."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, event, text

from casework import db


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE marks (who TEXT)"))
    yield engine
    engine.dispose()


def test_a_second_writer_waits_for_the_first_and_then_goes(engine):
    # SQLite's own wait switched off: the second writer can only get through by queueing behind the
    # first in the process (SQLite's wait polls with sleeps that grow, and some writers starve).
    event.listen(engine, "connect", lambda dbapi_connection, _record: dbapi_connection.execute("PRAGMA busy_timeout=0"))
    engine.dispose()
    order: list[str] = []
    first = engine.connect()
    first.begin()
    first.execute(text("INSERT INTO marks VALUES ('first')"))

    def second():
        with engine.begin() as conn:
            order.append("second began")
            conn.execute(text("INSERT INTO marks VALUES ('second')"))

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=0.5)
    assert thread.is_alive() and order == []  # held at the lock, not polling SQLite
    order.append("first commits")
    first.commit()
    thread.join(timeout=5)
    assert order == ["first commits", "second began"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT who FROM marks ORDER BY rowid")).scalars().all() == ["first", "second"]
    first.close()


def test_a_rolled_back_or_failed_transaction_lets_the_next_writer_go(engine):
    with pytest.raises(Exception, match="no such table"):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO nowhere VALUES (1)"))
    conn = engine.connect()
    conn.begin()
    conn.rollback()
    conn.close()
    done = threading.Event()

    def writer():
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO marks VALUES ('after')"))
        done.set()

    threading.Thread(target=writer).start()
    assert done.wait(timeout=5)


def test_a_thread_that_begins_twice_fails_after_the_busy_timeout_instead_of_hanging(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT", 0.2)  # read by the engine's connections as they open
    engine = db.make_engine(f"sqlite:///{tmp_path / 'twice.db'}")
    holder = engine.connect()
    holder.begin()
    with pytest.raises(Exception, match="database is locked"), engine.connect() as again:
        again.begin()
    holder.rollback()
    holder.close()
    with engine.begin() as conn:  # and the lock was let go
        conn.execute(text("SELECT 1"))
    engine.dispose()


def test_postgresql_hands_times_back_in_utc_without_converting_each(request):
    from datetime import timezone

    url = request.getfixturevalue("pg_database_url")
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            moment = conn.execute(text("SELECT now()")).scalar_one()
    finally:
        engine.dispose()
    assert moment.tzinfo is timezone.utc  # the connection's zone is UTC, whatever the server's default


def test_a_process_forked_while_the_write_lock_is_held_starts_with_it_free(tmp_path):
    # As an RQ worker forks its work-horse while its own loop may be writing: the child must not
    # inherit a lock that no thread of its own will ever let go.
    import os

    from casework.sqlite_writers import queue_writers

    engine = create_engine(f"sqlite:///{tmp_path / 'fork.db'}")
    queue = queue_writers(engine, timeout=1.0, reads_alone=lambda _connection: False)
    holder = object()
    queue.take(holder, timeout=1.0)
    assert queue.lock.locked()
    pid = os.fork()
    if pid == 0:
        os._exit(0 if queue.lock.acquire(timeout=0) and not queue.holders else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert queue.lock.locked()  # still held here, by its holder
    queue.let_go(holder)
    assert not queue.lock.locked()
    engine.dispose()
