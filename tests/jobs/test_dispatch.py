"""After a commit, its outbox rows reach Redis by id: no search for them, one mark for them all."""

from __future__ import annotations

import threading

from redis import Redis
from rq.job import Job
from sqlalchemy import event, func, select

from casework.jobs.dispatch import rq_job_id
from casework.outbox.models import OutboxMessage

from tests.factories import Factory
from tests.jobs.conftest import on_redis, wait_for


def test_the_rows_a_commit_wrote_are_handed_out_by_id_and_marked_in_one_statement(runtime, redis_url):
    on_redis(runtime, redis_url)
    on_dispatch_thread: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if threading.current_thread().name == "casework-dispatch":
            on_dispatch_thread.append(statement)

    with runtime.transaction() as session:
        make = Factory(session)
        leader, clerk = make.user("leader", "township"), make.user("unit", "village", username="clerk")
        case = make.case("village", by=leader, deadline="2030-11-30")
    wait_for(lambda: _undispatched(runtime) == 0, what="the opening's rows handed out first")
    event.listen(runtime.engine, "before_cursor_execute", seen)
    try:
        with runtime.transaction() as session:
            make = Factory(session)
            case = make.fire(session.merge(case), "assign", session.merge(leader), assignee_id=clerk.id)
            make.fire(case, "note", session.merge(leader), comment="已电话督办")
        with runtime.sessions() as session:
            written = session.scalars(select(OutboxMessage.id).where(OutboxMessage.dispatched_at.is_(None))).all()
        assert written  # the assignment's rows, waiting for the dispatch thread
        wait_for(lambda: _undispatched(runtime) == 0, what="the rows marked dispatched")
    finally:
        event.remove(runtime.engine, "before_cursor_execute", seen)
    redis = Redis.from_url(redis_url)
    assert all(Job.exists(rq_job_id(i), connection=redis) for i in written)
    assert not any("FOR UPDATE" in s for s in on_dispatch_thread), on_dispatch_thread  # no claim query
    # two events, a row each, marked together
    assert len(written) == 2
    assert [s.split()[0] for s in on_dispatch_thread if s.split()[0] in ("SELECT", "UPDATE")] == ["UPDATE"]


def _undispatched(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.dispatched_at.is_(None)))
