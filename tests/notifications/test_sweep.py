"""The sweep, on both backends: each reminder and ladder step reaches the right people exactly
once, is recorded on the case's chain, and a new clock is chased again."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from casework.audit.verify import verify_all
from casework.cases.models import Case
from casework.notifications import sweep
from casework.notifications.models import Notification
from casework.trail.models import CaseEvent

from tests.drive import Driver
from tests.factories import Factory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


@pytest.fixture
def world(runtime):
    """A default-workflow case of village T-V1 with deadline 2030-11-30, assigned to a clerk and
    started; a village leader; the township leader leads the campaign."""
    with runtime.transaction() as session:
        make = Factory(session)
        people = {"clerk": make.user("unit", "village", username="clerk"),
                  "clerk2": make.user("unit", "village", username="clerk2"),
                  "vleader": make.user("leader", "village", username="vleader"),
                  "leader": make.user("leader", "township", username="leader")}
        case = make.case("village", by=people["leader"], deadline="2030-11-30")
        case = make.fire(case, "assign", people["leader"], assignee_id=people["clerk"].id)
        case = make.fire(case, "start", people["clerk"])
        return {"case": case.id, **{name: user.id for name, user in people.items()}}


def run_sweep(runtime, now: str) -> None:
    sweep.sweep(runtime=runtime, payload={"now": local(now).isoformat()})


def inbox(runtime, world) -> list[tuple[str, str, int]]:
    names = {v: k for k, v in world.items() if k != "case"}
    with runtime.sessions() as session:
        rows = session.execute(select(Notification.user_id, Notification.kind, Notification.level)
                               .order_by(Notification.id)).all()
    return [(names[user], kind, level) for user, kind, level in rows]


def system_events(runtime, case_id: int) -> list[tuple[str, dict]]:
    with runtime.sessions() as session:
        rows = session.execute(select(CaseEvent.event, CaseEvent.payload).where(
            CaseEvent.case_id == case_id, CaseEvent.event.like("deadline.%")).order_by(CaseEvent.seq)).all()
    return [(event, json.loads(payload)) for event, payload in rows]


def test_the_reminder_and_the_ladder_reach_the_right_people_once_each(runtime, world):
    run_sweep(runtime, "2030-11-27T12:00")
    assert inbox(runtime, world) == []
    run_sweep(runtime, "2030-11-29T08:00")  # two days before the deadline runs out
    assert inbox(runtime, world) == [("clerk", "reminder", 0), ("clerk2", "reminder", 0)]
    for _ in range(3):  # again and again: nothing more
        run_sweep(runtime, "2030-11-29T09:00")
    run_sweep(runtime, "2030-12-01T08:00")  # overdue: level 1, the unit
    run_sweep(runtime, "2030-12-04T08:00")  # 3 days late: level 2, the nearest leader (the village's)
    run_sweep(runtime, "2030-12-08T08:00")  # 7 days late: level 3, the campaign's leader
    run_sweep(runtime, "2030-12-20T08:00")
    assert inbox(runtime, world) == [
        ("clerk", "reminder", 0), ("clerk2", "reminder", 0), ("clerk", "escalation", 1), ("clerk2", "escalation", 1),
        ("vleader", "escalation", 2), ("leader", "escalation", 3)]
    events = system_events(runtime, world["case"])
    assert [(e, p.get("level"), p["notified"]) for e, p in events] == [
        ("deadline.reminded", None, [world["clerk"], world["clerk2"]]),
        ("deadline.escalated", 1, [world["clerk"], world["clerk2"]]),
        ("deadline.escalated", 2, [world["vleader"]]), ("deadline.escalated", 3, [world["leader"]])]
    with runtime.sessions() as session:
        case = session.get(Case, world["case"])
        assert (case.escalation_level, case.version, case.next_due_at) == (3, 3, None)  # version untouched
        assert verify_all(session=session).ok


def test_a_case_found_long_overdue_gets_only_the_highest_step(runtime, world):
    run_sweep(runtime, "2030-12-25T08:00")
    assert inbox(runtime, world) == [("leader", "escalation", 3)]


def test_an_extension_starts_a_new_clock_that_is_chased_again(runtime, world):
    run_sweep(runtime, "2030-12-02T08:00")
    with runtime.transaction() as session:
        make = Factory(session)
        leader = session.get(type(make.user("leader", "township")), world["leader"])
        case = session.get(Case, world["case"])
        make.fire(case, "extend", leader, reason="等待户主返乡签字", deadline="2030-12-10")
    with runtime.sessions() as session:
        assert session.get(Case, world["case"]).escalation_level == 0  # the ladder starts from the bottom
    run_sweep(runtime, "2030-12-11T08:00")
    kinds = [(who, kind, level) for who, kind, level in inbox(runtime, world)]
    assert kinds.count(("clerk", "escalation", 1)) == 2  # once for each clock


def test_a_closed_case_is_not_chased(runtime, world):
    with runtime.transaction() as session:
        driver = Driver(Factory(session), "village")
        driver.to_state(session.get(Case, world["case"]), "verified")
    run_sweep(runtime, "2030-12-25T08:00")
    assert inbox(runtime, world) == []


def test_the_sweep_job_run_twice_sends_nothing_twice(runtime, world):
    from casework.jobs.execute import execute
    from casework.outbox import service as outbox

    with runtime.transaction() as session:
        row = outbox.add(session=session, topic=sweep.TOPIC, payload={"now": local("2030-12-04T08:00").isoformat()})
        session.flush()
        row_id = row.id
    assert execute(runtime, row_id) is True
    assert execute(runtime, row_id) is False  # a retried or duplicated job finds its row done
    run_sweep(runtime, "2030-12-04T08:00")  # and a second sweep at the same moment finds nothing to do
    assert inbox(runtime, world) == [("vleader", "escalation", 2)]


def test_the_sweep_finds_due_cases_with_one_indexed_query(runtime, world):
    with runtime.sessions() as session:
        assert sweep.due_cases(session=session, now=local("2030-11-28T00:00")) == []
        assert sweep.due_cases(session=session, now=local("2030-11-29T00:00")) == [world["case"]]


@pytest.fixture
def many_due(runtime):
    """Thirty overdue started cases of village T-V1, a clerk each is told about."""
    with runtime.transaction() as session:
        make = Factory(session)
        leader, clerk = make.user("leader", "township", username="leader"), make.user("unit", "village", username="clerk")
        ids = []
        for i in range(30):
            case = make.case("village", by=leader, deadline="2030-11-30", title=f"问题{i}")
            case = make.fire(case, "assign", leader, assignee_id=clerk.id)
            ids.append(make.fire(case, "start", clerk).id)
        return ids, clerk.id


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_sweeps_at_once_send_each_step_once(runtime, many_due):
    from concurrent.futures import ThreadPoolExecutor

    ids, clerk = many_due
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: run_sweep(runtime, "2030-12-04T08:00"), range(2)))
    with runtime.sessions() as session:
        per_case = dict(session.execute(select(Notification.case_id, func.count()).where(
            Notification.kind == "escalation").group_by(Notification.case_id)).all())
        steps = session.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.event == "deadline.escalated"))
    # found three days late: level 2 only, to the nearest leader there is (the township's), once
    assert per_case == {case_id: 1 for case_id in ids}
    assert steps == 30


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_sweep_racing_people_s_events_costs_them_no_409_and_sends_each_step_once(runtime, many_due):
    from concurrent.futures import ThreadPoolExecutor

    from casework.cases import service as cases
    from casework.users.models import User

    ids, clerk_id = many_due

    def note_each():
        for case_id in ids:
            with runtime.transaction() as session:
                clerk = session.get(User, clerk_id)
                version = session.get(Case, case_id).version
                cases.fire(session=session, case_id=case_id, event="note", actor=clerk, version=version,
                           fields={"comment": "已入户核查"})

    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(run_sweep, runtime, "2030-12-01T08:00"), pool.submit(note_each)]
        for future in done:
            future.result()  # a 409 would raise here
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 30
        assert verify_all(session=session).ok
