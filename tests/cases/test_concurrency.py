"""Many people acting on one case at the same moment: the optimistic lock lets exactly one of
those who saw the same version through, and the audit chain stays one unbroken line.

PostgreSQL is where this matters (real concurrent transactions, row locks); on SQLite, the
embedded default, writers queue behind BEGIN IMMEDIATE and the outcome must be the same.
"""

from __future__ import annotations

from datetime import date, timedelta

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from casework.trail.models import CaseEvent
from casework.audit.verify import verify_all
from casework.cases import service as cases
from casework.cases.models import Case
from casework.db import make_engine, make_sessionmaker
from casework.errors import Conflict

from tests.factories import Factory

WRITERS = 20


@pytest.fixture
def writers(runtime):
    """A session factory whose pool has a connection for every writer."""
    engine = make_engine(runtime.settings.database_url, pool_size=WRITERS + 2, max_overflow=0)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def case_and_people(runtime):
    """A committed case in `found`, its township leader and the village clerk (detached, loaded)."""
    with runtime.transaction() as session:
        make = Factory(session)
        leader = make.user("leader", "township")
        clerk = make.user("unit", "village")
        case = make.case("village", by=leader)
        for person in (leader, clerk):
            [m.unit.path for m in person.memberships]  # load what the permission checks read
        return case.id, leader, clerk


def _run_together(work) -> list:
    barrier = threading.Barrier(WRITERS, timeout=30)

    def one(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(one, range(WRITERS)))


def test_twenty_writers_at_the_same_version_exactly_one_wins(runtime, writers, case_and_people):
    case_id, leader, clerk = case_and_people

    def attempt(i):
        # Every fourth writer assigns the case; the others add a progress note.
        event, actor, fields = (("assign", leader, {"assignee_id": clerk.id}) if i % 4 == 0
                                else ("note", clerk if i % 2 else leader, {"comment": f"第{i}条进展"}))
        try:
            with writers() as session, session.begin():
                cases.fire(session=session, case_id=case_id, event=event, actor=actor, version=1, fields=fields)
            return event
        except Conflict as exc:
            return exc.code

    outcomes = Counter(_run_together(attempt))
    assert outcomes["stale_version"] == WRITERS - 1
    [(winner, wins)] = [(k, v) for k, v in outcomes.items() if k != "stale_version"]
    assert wins == 1

    with runtime.transaction() as session:
        case = session.get(Case, case_id)
        assert (case.version, case.event_count) == (2, 2)
        assert case.state == ("assigned" if winner == "assign" else "found")
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        assert [e.event for e in sorted(events, key=lambda e: e.seq)] == ["open", winner]
        assert verify_all(session=session).ok


def test_writers_who_reload_and_retry_all_get_through_in_one_unbroken_chain(runtime, writers, case_and_people):
    case_id, leader, clerk = case_and_people

    def until_through(i):
        # Leaders extend the deadline now and then (a day past what they just read, as an
        # extension must extend); everyone else notes progress.
        for _attempt in range(10 * WRITERS):
            with writers() as session, session.begin():
                seen = session.get(Case, case_id)
                version, deadline = seen.version, seen.deadline or date(2026, 12, 1)
            event, actor, fields = (
                ("extend", leader, {"reason": f"第{i}次延期", "deadline": (deadline + timedelta(days=1)).isoformat()})
                if i % 5 == 0 else ("note", clerk, {"comment": f"第{i}条进展"}))
            try:
                with writers() as session, session.begin():
                    cases.fire(session=session, case_id=case_id, event=event, actor=actor, version=version,
                               fields=fields)
                return version
            except Conflict as exc:
                assert exc.code == "stale_version"
        raise AssertionError(f"writer {i} never got through")

    versions = _run_together(until_through)
    # Each writer got through at a version nobody else used: one after the other, no gaps.
    assert sorted(versions) == list(range(1, WRITERS + 1))

    with runtime.transaction() as session:
        case = session.get(Case, case_id)
        assert (case.state, case.version, case.event_count) == ("found", WRITERS + 1, WRITERS + 1)
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                 .order_by(CaseEvent.seq)).all()
        assert [e.seq for e in events] == list(range(1, WRITERS + 2))
        assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
        assert case.chain_head == events[-1].hash
        said = {json.loads(e.payload).get("comment") or json.loads(e.payload)["reason"] for e in events[1:]}
        assert len(said) == WRITERS
        result = verify_all(session=session)
        assert (result.ok, result.checked) == (True, WRITERS + 1)


def test_cases_opened_at_the_same_moment_get_distinct_numbers(runtime, writers, case_and_people):
    case_id, leader, _clerk = case_and_people

    def open_one(i):
        with writers() as session, session.begin():
            first = session.get(Case, case_id)
            campaign_id, unit_id = first.campaign_id, first.unit_id
            return cases.open_case(session=session, actor=leader, campaign_id=campaign_id, unit_id=unit_id,
                                   title=f"同时发现的问题{i}").number

    numbers = _run_together(open_one)
    assert len(set(numbers)) == WRITERS
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(2, WRITERS + 2))
    with runtime.transaction() as session:
        assert verify_all(session=session).cases == WRITERS + 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_system_events_landing_between_a_read_and_a_write_never_cost_a_409(runtime, writers, case_and_people):
    """Escalations and uploads append to the chain without bumping `version`: people firing at the
    version they saw still get through, and the chain stays one line."""
    case_id, leader, clerk = case_and_people
    from casework.users.system import system_actor_id

    with writers() as session, session.begin():
        system_id = system_actor_id(session=session)
    people_done, system_done = [], []

    def work(i):
        if i % 2:  # the system: an escalation step recorded on the chain
            with writers() as session, session.begin():
                cases.record(session=session, case_id=case_id, event="deadline.escalated", actor_id=system_id,
                             payload={"level": 1 + i % 3})
            system_done.append(i)
            return
        for _attempt in range(10 * WRITERS):  # a person: note at the version just read, retry only on 409
            with writers() as session, session.begin():
                version = session.get(Case, case_id).version
            try:
                with writers() as session, session.begin():
                    cases.fire(session=session, case_id=case_id, event="note", actor=clerk, version=version,
                               fields={"comment": f"第{i}条进展"})
                people_done.append(version)
                return
            except Conflict as exc:
                assert exc.code == "stale_version"
        raise AssertionError("never got through")

    _run_together(work)
    assert len(system_done) == len(people_done) == WRITERS // 2
    # Versions moved only for people: one each, no gaps; system events took none.
    assert sorted(people_done) == list(range(1, WRITERS // 2 + 1))
    with runtime.transaction() as session:
        case = session.get(Case, case_id)
        assert (case.version, case.event_count) == (WRITERS // 2 + 1, WRITERS + 1)
        result = verify_all(session=session)
        assert result.ok, result.findings


def test_a_record_only_event_leaves_the_version_and_is_replayed(session, make):
    from casework.users.system import system_actor_id

    case = make.case("village")
    case = cases.record(session=session, case_id=case.id, event="deadline.escalated",
                        actor_id=system_actor_id(session=session), payload={"level": 2})
    assert (case.version, case.event_count, case.escalation_level) == (1, 2, 2)
    assert verify_all(session=session).ok
    with pytest.raises(ValueError):
        cases.record(session=session, case_id=case.id, event="verify", actor_id=1, payload={})
