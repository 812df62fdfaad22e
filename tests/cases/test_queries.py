"""Reading cases: overdue is judged by each campaign's own calendar."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from casework.campaigns import service as campaigns
from casework.cases import queries
from casework.cases import service as cases
from casework.cases.permissions import visible_case
from casework.errors import Unprocessable
from casework.users.models import User

# UTC+14 and UTC-11: 25 hours apart, so "today" in the east is always a later date.
EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"


def test_overdue_follows_the_campaign_s_time_zone(session, make):
    leader = make.user("leader", "township")
    west_today = queries.today(ZoneInfo(WEST))
    opened = {}
    for zone, code in ((EAST, "EAST"), (WEST, "WEST")):
        campaign = campaigns.create(session=session, name=zone, code=code, starts_on=west_today - timedelta(days=30),
                                    leader_unit=make.unit("township"), timezone=zone)
        opened[zone] = cases.open_case(session=session, actor=leader, campaign_id=campaign.id,
                                       unit_id=make.unit("village").id, title="同一天截止", deadline=west_today)
    listed, _ = queries.list_cases(session=session, user=leader, filters=queries.CaseFilters(overdue=True),
                                   sort="number", limit=10, after=None)
    assert [c.id for c in listed] == [opened[EAST].id]
    calendar = queries.Calendar(session)
    shown = {zone: queries.describe(session=session, case=case, calendar=calendar)["overdue"]
             for zone, case in opened.items()}
    assert shown == {EAST: True, WEST: False}


@pytest.mark.parametrize("deadline", ["0001-01-01", "2100-01-01", "9999-12-31"])
def test_a_deadline_outside_2000_to_2099_is_refused(make, deadline):
    with pytest.raises(Unprocessable) as refused:
        make.case("village", deadline=deadline)
    assert refused.value.details["field"] == "deadline"


def test_a_campaign_with_an_unknown_time_zone_is_refused(session, make):
    with pytest.raises(Unprocessable) as refused:
        campaigns.create(session=session, name="x", code="TZ", starts_on=queries.today(ZoneInfo(WEST)),
                         leader_unit=make.unit("township"), timezone="Mars/Olympus")
    assert refused.value.details["field"] == "timezone"


class Statements:
    """Counts the statements a fresh session (a new request: nothing cached yet) sends."""

    def __init__(self, session):
        self.bind = session.get_bind()
        self.count = 0

    def _count(self, _conn, _cursor, statement, *_args):
        # SQLite's BEGIN IMMEDIATE (casework.db) is how a transaction starts there, not a query.
        if not statement.startswith("BEGIN"):
            self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        self.fresh = Session(bind=self.bind)
        event.listen(self.bind, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.bind, "before_cursor_execute", self._count)
        self.fresh.rollback()
        self.fresh.close()


def test_describing_a_page_of_cases_does_not_ask_the_database_once_per_case(session, make):
    leader = make.user("leader", "township")
    opened = [make.case("village", by=leader, title=f"问题{i}") for i in range(10)]
    session.commit()

    def describe_all(page):
        with Statements(session) as counted:
            calendar = queries.Calendar(counted.fresh)
            for case in page:
                queries.describe(session=counted.fresh, case=case, calendar=calendar)
        return counted.count

    describe_all(opened[:1])  # the process learns the workflow version and the time zone once
    assert describe_all(opened) == describe_all(opened[:1]) == 0


def _read_one(counted, case_id, user_id):
    user = counted.fresh.get(User, user_id)
    case, unit = visible_case(session=counted.fresh, case_id=case_id, user=user)
    return queries.describe(session=counted.fresh, case=case, calendar=queries.Calendar(counted.fresh),
                            actor=user, unit=unit)


def test_reading_one_case_costs_a_few_statements_however_long_its_history(session, make):
    leader, clerk = make.user("leader", "township"), make.user("unit", "village")
    short = make.case("village", by=leader)
    long = make.fire(make.case("village", by=leader), "assign", leader, assignee_id=clerk.id)
    for i in range(20):
        long = make.fire(long, "note", clerk, comment=f"进展{i}")
    long = make.fire(make.fire(long, "start", clerk), "submit", clerk)
    session.commit()
    with Statements(session) as warm_up:  # the process learns the workflow once
        _read_one(warm_up, short.id, leader.id)

    counts = []
    for case in (short, long):
        with Statements(session) as counted:
            shown = _read_one(counted, case.id, leader.id)
        counts.append(counted.count)
    assert "verify" in shown["allowed_events"]
    # the user, their memberships, the case with its unit, who fired what (separation of duties)
    assert counts == [3, 4]


def test_firing_an_event_costs_a_fixed_number_of_statements(session, make):
    leader, clerk = make.user("leader", "township"), make.user("unit", "village")
    warm_up, first, second = (make.case("village", by=leader) for _ in range(3))
    session.commit()
    counts = []
    for case in (warm_up, first, second):
        with Statements(session) as counted:
            actor = counted.fresh.get(User, leader.id)
            cases.fire(session=counted.fresh, case_id=case.id, event="assign", actor=actor, version=1,
                       fields={"assignee_id": clerk.id})
            counted.fresh.flush()
        counts.append(counted.count)
    # the user and memberships, the case with its unit, the assignee and theirs, the update
    # returning the row, the event and the outbox row
    assert counts[1] == counts[2] == 8
