""""My work": the query behind it (on both databases) and the page with its notifications."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from casework.cases import my_work
from casework.cases.queries import today
from casework.notifications import service as notifications
from casework.users.models import User
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.helpers import text_of
from tests.web.helpers import factory_for


def _today() -> date:
    from zoneinfo import ZoneInfo

    return today(ZoneInfo("Asia/Shanghai"))


def test_my_cases_are_mine_or_my_units_unassigned_open_ones_most_pressing_first(runtime, town):
    day = _today()
    with runtime.transaction() as session:
        make = factory_for(session, town)
        leader, clerk = session.get(User, town.user("leader")), session.get(User, town.user("clerk"))
        team = session.get(User, town.user("team_member"))

        def opened(title, where="village", deadline=None, assign_to=None, then=()):
            case = make.case(where, by=leader, title=title, deadline=deadline)
            if assign_to is not None:
                case = make.fire(case, "assign", leader, assignee_id=assign_to.id)
            for event, actor, fields in then:
                case = make.fire(case, event, actor, **fields)
            return case.id

        later = opened("下月到期", deadline=day + timedelta(days=20), assign_to=clerk)
        soon = opened("三天后到期", deadline=day + timedelta(days=3), assign_to=clerk)
        late = opened("已逾期", deadline=day - timedelta(days=2))  # no assignee, at the clerk's unit
        undated = opened("未设期限", assign_to=clerk)
        today_due = opened("今天到期", deadline=day, assign_to=clerk)
        opened("已办结", deadline=day - timedelta(days=1), assign_to=clerk,
               then=[("start", clerk, {}), ("submit", clerk, {}), ("verify", leader, {})])
        opened("别人的", deadline=day - timedelta(days=9), assign_to=leader)
        # The clerk's unit role stays at the village: the work team's cases are the team's work.
        team_late = opened("工作队的", "work_team", deadline=day - timedelta(days=9))
        opened("别村的", "village2", deadline=day - timedelta(days=9))
        team_own = opened("工作队自己的", "work_team", deadline=day + timedelta(days=1), assign_to=team)

    with runtime.sessions() as session:
        items = my_work.my_cases(session=session, user=session.get(User, town.user("clerk")))
        mine = [(item.case.id, item.bucket, item.days) for item in items]
        team_items = my_work.my_cases(session=session, user=session.get(User, town.user("team_member")))
    assert mine == [(late, "overdue", 2), (today_due, "this_week", 0), (soon, "this_week", 3),
                    (later, "later", 20), (undated, "later", None)]
    assert [item.case.id for item in team_items] == [team_late, team_own]
    assert "start" in next(item for item in items if item.case.id == soon).allowed


@pytest.mark.parametrize(("offset", "bucket", "days"), [(-1, "overdue", 1), (0, "this_week", 0), (6, "this_week", 6),
                                                        (7, "later", 7)])
def test_a_week_is_today_and_the_six_days_after(offset, bucket, days):
    assert my_work.bucket_of(date(2026, 11, 20) + timedelta(days=offset), date(2026, 11, 20)) == (bucket, days)


@SQLITE_ONLY
def test_the_page_lists_my_cases_with_state_village_and_days_late(browser, api, town):
    leader = api("leader")
    clerk_id = town.user("clerk")
    leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="危房资料缺失",
                            village="青山村", deadline=(_today() - timedelta(days=3)).isoformat())
    assigned = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="手册漏项",
                                deadline=(_today() + timedelta(days=2)).isoformat())
    leader.fire_ok(assigned, "assign", assignee_id=clerk_id)
    page = text_of(browser("clerk").get("/"))
    assert page.index("危房资料缺失") < page.index("手册漏项")
    assert "逾期3天" in page and "剩2天" in page and "青山村" in page
    assert "发现问题" in page and "已交办" in page
    # An assigned case starts with one tap.
    assert f'action="/cases/{assigned["id"]}/events"' in page and 'value="start"' in page


@SQLITE_ONLY
def test_start_from_my_work_then_the_camera_button_appears(browser, api, town):
    leader = api("leader")
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="手册漏项")
    leader.fire_ok(case, "assign", assignee_id=town.user("clerk"))
    person = browser("clerk")
    started = person.post(f"/cases/{case['id']}/events", {"event": "start", "version": "2"})
    assert started.status_code == 303
    page = text_of(person.get("/"))
    assert 'capture="environment"' in page and 'accept="image/*"' in page and "拍照并提交" in page


@SQLITE_ONLY
def test_notifications_show_unread_and_are_marked_read(browser, runtime, town):
    clerk = town.user("clerk")
    with runtime.transaction() as session:
        for n in range(3):
            notifications.deliver(session=session, user_ids=[clerk], kind="assigned", code="n_assigned",
                                  params={"number": f"C-{n}", "title": f"事项{n}", "village": "", "deadline": ""},
                                  dedupe_key=f"test:{n}")
        others = notifications.deliver(session=session, user_ids=[town.user("leader")], kind="assigned",
                                       code="n_assigned", params={"number": "X", "title": "别人的", "village": "",
                                                                  "deadline": ""}, dedupe_key="test:leader")
        theirs = notifications.inbox(session=session, user_id=town.user("leader"), limit=1)[0].id
        ids = [n.id for n in notifications.inbox(session=session, user_id=clerk, limit=10)]
    assert others
    person = browser("clerk")
    page = text_of(person.get("/"))
    assert "3 条未读" in page and "事项2" in page
    # With htmx the answer is the page, of which the inbox is swapped in; without, a redirect to it.
    marked = person.post(f"/notifications/{ids[0]}/read", headers={"HX-Request": "true"})
    assert marked.status_code == 303 and marked.headers["Location"] == "/#inbox"
    assert "2 条未读" in text_of(person.get("/"))
    assert person.post(f"/notifications/{theirs}/read").status_code == 404
    assert person.post("/notifications/read-all").status_code == 303
    page = text_of(person.get("/"))
    assert "条未读" not in page and len(re.findall(r'class="notice"', page)) == 3


@SQLITE_ONLY
def test_a_failure_nobody_foresaw_is_a_page_too(browser, monkeypatch):
    person = browser("clerk")

    def broken(**_):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(my_work, "my_cases", broken)
    response = person.get("/")
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "服务器内部错误" in text_of(response)
