"""What one request costs the database, counted, so a gain in speed is not lost unnoticed.

Counted over HTTP, after the process has learnt the workflow versions and time zones once. The
numbers are the floor of what each request must do; a change that adds a statement updates the
count here and says why.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.web.helpers import POSTGRES_ONLY


@contextmanager
def counted(runtime):
    seen: list[str] = []

    def on_statement(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", on_statement)


@POSTGRES_ONLY
def test_firing_an_event_costs_five_statements(runtime, town, as_):
    leader = as_("leader")
    case = leader.fire_ok(leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village")), "note",
                          comment="第一次")
    with counted(runtime) as seen:
        answer = leader.post(f"/api/v1/cases/{case['id']}/events",
                             {"event": "note", "version": case["version"], "comment": "第二次"})
    assert answer.status_code == 200 and "note" in answer.get_json()["allowed_events"]
    # the user with their memberships, the case with its unit (locked), the update, the event, the
    # outbox row; the answer is described from what is already loaded
    assert len(seen) == 5, seen


@POSTGRES_ONLY
def test_reading_a_case_or_a_page_of_cases_costs_two_or_three(runtime, town, as_):
    leader = as_("leader")
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    leader.get(f"/api/v1/cases/{case['id']}")
    for _ in range(3):
        leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village2"))
    for url, cost in ((f"/api/v1/cases/{case['id']}", 2), ("/api/v1/cases?limit=50", 2),
                      ("/api/v1/cases?state=found&unit_id={}".format(town.unit("township")), 2),
                      ("/api/v1/cases?overdue=true&sort=deadline", 3)):
        with counted(runtime) as seen:
            assert leader.get(url).status_code == 200
        # the user with their memberships, the case(s); for `overdue`, the campaigns' time zones too
        assert len(seen) == cost, (url, [s[:90] for s in seen])
