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
