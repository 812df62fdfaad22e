"""Reading cases: overdue is judged by each campaign's own calendar."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.campaigns import service as campaigns
from casework.cases import queries
from casework.cases import service as cases
from casework.errors import Unprocessable

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
    closed, calendar = queries.closed_states(session), queries.Calendar(session)
    shown = {zone: queries.describe(session=session, case=case, closed=closed, calendar=calendar)["overdue"]
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


def test_describing_a_page_of_cases_does_not_ask_the_database_once_per_case(session, make):
    from sqlalchemy import event

    leader = make.user("leader", "township")
    opened = [make.case("village", by=leader, title=f"问题{i}") for i in range(10)]
    statements = []

    def count(*_args):
        statements.append(1)

    def describe_all(page):
        statements.clear()
        fresh = session.__class__(bind=session.get_bind())  # a new request: nothing cached yet
        closed, calendar = queries.closed_states(fresh), queries.Calendar(fresh)
        event.listen(fresh.get_bind(), "before_cursor_execute", count)
        try:
            for case in page:
                queries.describe(session=fresh, case=case, closed=closed, calendar=calendar)
        finally:
            event.remove(fresh.get_bind(), "before_cursor_execute", count)
            fresh.close()
        return len(statements)

    session.commit()
    assert describe_all(opened) == describe_all(opened[:1])
