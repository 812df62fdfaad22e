"""Background work on real RQ workers and a real Redis: what arrives, once, whatever fails."""

from __future__ import annotations

import hashlib
import os
import signal
from datetime import datetime, timezone

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import func, select, update

from casework.cases.models import Case
from casework.jobs.dispatch import rq_job_id
from casework.jobs.registry import QUICK
from casework.notifications import sweep
from casework.notifications.models import Notification
from casework.outbox import service as outbox
from casework.outbox.models import OutboxMessage
from casework.trail.models import CaseEvent

from tests.factories import Factory
from tests.jobs.conftest import on_redis, wait_for

POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def _count(runtime, model, *where) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _assigned_case(runtime) -> int:
    with runtime.transaction() as session:
        make = Factory(session)
        leader, clerk = make.user("leader", "township"), make.user("unit", "village", username="clerk")
        case = make.case("village", by=leader, deadline="2030-11-30")
        return make.fire(case, "assign", leader, assignee_id=clerk.id).id


def test_an_event_s_notification_arrives_through_a_worker(runtime, redis_url, start_worker):
    on_redis(runtime, redis_url)
    worker = start_worker(redis_url)
    case_id = _assigned_case(runtime)  # the commit hands the rows to RQ on the dispatch thread
    wait_for(lambda: _count(runtime, Notification, Notification.kind == "assigned") == 1, seconds=30,
             what=f"the assignment notice (worker said: {worker.output()[-2000:]})")
    wait_for(lambda: _count(runtime, OutboxMessage, OutboxMessage.done_at.is_(None)) == 0, what="every row done")
    # each row became one RQ job named after it
    with runtime.sessions() as session:
        ids = session.scalars(select(OutboxMessage.id).where(OutboxMessage.case_id == case_id)).all()
    assert all(Job.exists(rq_job_id(i), connection=Redis.from_url(redis_url)) for i in ids)


def _due_cases(runtime, count: int) -> None:
    with runtime.transaction() as session:
        make = Factory(session)
        leader = make.user("leader", "township")
        clerk = make.user("unit", "village", username="clerk")
        for i in range(count):
            case = make.case("village", by=leader, deadline="2030-11-30", title=f"问题{i}")
            make.fire(make.fire(case, "assign", leader, assignee_id=clerk.id), "start", clerk)


@POSTGRES
def test_a_work_horse_killed_mid_sweep_is_retried_and_nothing_is_sent_twice(runtime, redis_url, start_worker):
    _due_cases(runtime, 400)
    with runtime.transaction() as session:  # their assignment notices are not what this test is about
        session.execute(update(OutboxMessage).values(done_at=func.now(), dispatched_at=func.now()))
    on_redis(runtime, redis_url)
    start_worker(redis_url)
    now = datetime(2030, 12, 4, tzinfo=timezone.utc).isoformat()
    with runtime.transaction() as session:
        row = outbox.add(session=session, topic=sweep.TOPIC, payload={"now": now})
        session.flush()
        row_id = row.id
    runtime.jobs.dispatch_pending()
    connection = Redis.from_url(redis_url)
    job = Job.fetch(rq_job_id(row_id), connection=connection)
    pid = wait_for(lambda: job.get_meta(refresh=True).get("pid"), what="the work-horse to start")
    # Only the cases' notices: the morning's daily report may go out while this runs.
    chased = Notification.case_id.is_not(None)
    wait_for(lambda: _count(runtime, Notification, chased) >= 20, what="the sweep to be under way")
    os.kill(pid, signal.SIGKILL)
    sent_when_killed = _count(runtime, Notification, chased)
    assert sent_when_killed < 400, "the sweep finished before it could be killed"
    # RQ sees its horse die, the retry comes back after its interval, and the sweep resumes.
    wait_for(lambda: _count(runtime, Notification, chased) == 400, seconds=90, every=0.5, what="the retried sweep")
    wait_for(lambda: _count(runtime, OutboxMessage, OutboxMessage.id == row_id, OutboxMessage.done_at.is_not(None)),
             what="the sweep row done")
    with runtime.sessions() as session:
        per_case = session.execute(select(Notification.case_id, func.count()).where(chased)
                                   .group_by(Notification.case_id)).all()
        recorded = session.scalar(select(func.count()).select_from(CaseEvent)
                                  .where(CaseEvent.event == "deadline.escalated"))
    assert {count for _case, count in per_case} == {1} and len(per_case) == 400
    assert recorded == 400


@POSTGRES
def test_changes_made_while_redis_is_down_are_done_when_it_is_back(runtime, own_redis, start_worker):
    on_redis(runtime, own_redis.url)
    own_redis.stop()
    _assigned_case(runtime)  # succeeds: the change commits, its rows wait in the outbox
    assert runtime.jobs.dispatch_pending() == 0
    waiting = _count(runtime, OutboxMessage, OutboxMessage.dispatched_at.is_(None))
    assert waiting >= 2
    own_redis.start()
    # The catch-up pass every worker runs hands out what is left (the dispatch thread may get to
    # some of the rows first, if its own try outlasted the outage).
    assert runtime.jobs.dispatch_pending() <= waiting
    assert _count(runtime, OutboxMessage, OutboxMessage.dispatched_at.is_(None)) == 0
    start_worker(own_redis.url, "--burst").process.wait(timeout=60)
    assert _count(runtime, OutboxMessage, OutboxMessage.done_at.is_(None)) == 0
    assert _count(runtime, Notification, Notification.kind == "assigned") == 1


def test_a_job_that_fails_for_good_is_listed_and_can_be_requeued(runtime, redis_url, start_worker, tmp_path):
    from click.testing import CliRunner

    from casework.cli import main

    with runtime.transaction() as session:
        row = outbox.add(session=session, topic="no.such.topic", payload={})
        session.flush()
        row_id = row.id
    # Straight onto the queue without retries, as a job whose retries are used up would be.
    Queue(QUICK, connection=Redis.from_url(redis_url)).enqueue(
        "casework.jobs.tasks.run_outbox", row_id, job_id=rq_job_id(row_id), description=f"no.such.topic #{row_id}")
    start_worker(redis_url, "--burst").process.wait(timeout=60)
    env = {"CASEWORK_DATABASE_URL": str(runtime.engine.url.render_as_string(hide_password=False)),
           "CASEWORK_REDIS_URL": redis_url, "CASEWORK_INSTANCE_DIR": str(tmp_path)}
    listed = CliRunner().invoke(main, ["jobs", "failed"], env=env)
    assert listed.exit_code == 0 and rq_job_id(row_id) in listed.output and "KeyError" in listed.output
    again = CliRunner().invoke(main, ["jobs", "requeue", rq_job_id(row_id)], env=env)
    assert again.output == "1 job(s) requeued\n"
    assert Queue(QUICK, connection=Redis.from_url(redis_url)).count == 1
    status = CliRunner().invoke(main, ["jobs", "status"], env=env)
    assert f"queue {QUICK}: 1 waiting" in status.output


def _big_photo(seed: int) -> bytes:
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (1600, 1200), bytes(rng.getrandbits(8) for _ in range(1600 * 1200 * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


@POSTGRES
def test_a_work_horse_killed_while_building_a_pack_leaves_nothing_half_written(runtime, redis_url, start_worker):
    import io

    from casework.cases import evidence
    from casework.closure.models import ClosurePack
    from casework.users.models import User

    with runtime.transaction() as session:
        make = Factory(session)
        leader, clerk = make.user("leader", "township"), make.user("unit", "village")
        case = make.fire(make.fire(make.case("village", by=leader), "assign", leader, assignee_id=clerk.id),
                         "start", clerk)
        for seed in range(10):
            evidence.attach(session=session, storage=runtime.storage, case_id=case.id, actor=clerk, kind="photo",
                            upload=io.BytesIO(_big_photo(seed)), filename=f"现场{seed}.jpg",
                            limits=evidence.Limits(50 * 2**20, 10**10), work_dir=runtime.settings.storage_dir)
        case = make.fire(case, "submit", clerk)
        leader_id, case_id = leader.id, case.id
        session.execute(update(OutboxMessage).values(done_at=func.now(), dispatched_at=func.now()))
    on_redis(runtime, redis_url)
    start_worker(redis_url)
    with runtime.transaction() as session:
        from casework.cases import service as cases

        case = cases.fire(session=session, case_id=case_id, event="verify", actor=session.get(User, leader_id),
                          version=session.get(Case, case_id).version)
    with runtime.sessions() as session:
        row_id = session.scalar(select(OutboxMessage.id).where(OutboxMessage.topic == "closure.build"))
    connection = Redis.from_url(redis_url)
    job = wait_for(lambda: Job.exists(rq_job_id(row_id), connection=connection)
                   and Job.fetch(rq_job_id(row_id), connection=connection), what="the build job")
    pid = wait_for(lambda: job.get_meta(refresh=True).get("pid"), what="the work-horse to start")
    os.kill(pid, signal.SIGKILL)
    with runtime.sessions() as session:
        pack = session.scalars(select(ClosurePack)).first()
    assert pack is None or pack.status == "building"  # nothing ready, nothing to fetch half-written
    pack = wait_for(lambda: _ready_pack(runtime), seconds=90, every=0.5, what="the retried build")
    for sha in (pack.pdf_sha256, pack.zip_sha256):
        with runtime.storage.open(sha) as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == sha  # whole, and under its own hash


def _ready_pack(runtime):
    from casework.closure.models import ClosurePack

    with runtime.sessions() as session:
        return session.scalars(select(ClosurePack).where(ClosurePack.status == "ready")).first()
