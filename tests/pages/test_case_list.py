"""The case list: the API's filters, sorts and paging as a page, and assigning several at once."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.cases.queries import today
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.helpers import text_of

pytestmark = SQLITE_ONLY


@pytest.fixture
def found(api, town):
    """Three findings: one overdue at the village, one due later there, one at the other village."""
    leader, day = api("leader"), today(ZoneInfo("Asia/Shanghai"))
    return [
        leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="危房资料缺失",
                         village="青山村", deadline=(day - timedelta(days=4)).isoformat()),
        leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="手册漏项",
                         village="青山村", deadline=(day + timedelta(days=9)).isoformat()),
        leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village2"), title="饮水安全",
                         village="石桥村"),
    ]


def _numbers(page: str) -> list[str]:
    return re.findall(r'<span class="num">([^<]+)</span>', page)


def test_filters_narrow_the_list_as_the_api_does(browser, found):
    person = browser("leader")
    assert len(_numbers(text_of(person.get("/cases")))) == 3
    overdue = text_of(person.get("/cases?overdue=true"))
    assert _numbers(overdue) == [found[0]["number"]] and "逾期4天" in overdue
    assert _numbers(text_of(person.get("/cases?q=%E6%89%8B%E5%86%8C"))) == [found[1]["number"]]  # q=手册
    assert _numbers(text_of(person.get("/cases?state=found&sort=number"))) == [c["number"] for c in found]
    # Empty fields (a form's "any") are no filter at all.
    assert len(_numbers(text_of(person.get("/cases?state=&unit_id=&q=")))) == 3


def test_a_village_sees_only_its_own_cases(browser, found):
    assert _numbers(text_of(browser("clerk").get("/cases"))) == [found[1]["number"], found[0]["number"]]


def test_a_bad_filter_is_marked_beside_it(browser, found):
    response = browser("leader").get("/cases?unit_id=abc&q=" + "x" * 101)
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="f-unit_id-error"' in page and 'id="f-q-error"' in page


def test_pages_follow_the_cursor(browser, found):
    person = browser("leader")
    first = text_of(person.get("/cases?limit=2&sort=number"))
    assert _numbers(first) == [found[0]["number"], found[1]["number"]]
    next_url = re.search(r'<a class="btn btn-secondary" href="([^"]+)">下一页', first).group(1).replace("&amp;", "&")
    second = text_of(person.get(next_url))
    assert _numbers(second) == [found[2]["number"]] and "下一页" not in second


def test_bulk_assign_offers_each_cases_people_and_reports_each_result(browser, api, found, town):
    person = browser("leader")
    ids = [c["id"] for c in found]
    listing = text_of(person.get("/cases"))
    assert all(f'name="case" value="{i}"' in listing for i in ids)
    form = text_of(person.get("/cases/assign?" + "&".join(f"case={i}" for i in ids)))
    village_people = re.search(rf'name="assignee_{ids[0]}".*?</select>', form, re.DOTALL).group(0)
    assert f'value="{town.user("clerk")}"' in village_people
    other_people = re.search(rf'name="assignee_{ids[2]}".*?</select>', form, re.DOTALL).group(0)
    assert f'value="{town.user("clerk")}"' not in other_people
    api("leader").fire_ok(found[1], "note", comment="先看一下")  # the second one moves on meanwhile
    done = person.post("/cases/assign", {
        "case": [str(i) for i in ids], f"assignee_{ids[0]}": str(town.user("clerk")), f"assignee_{ids[1]}": "",
        f"assignee_{ids[2]}": "", **{f"version_{i}": "1" for i in ids}})
    assert done.status_code == 200
    page = text_of(done)
    assert "3 件中 2 件已交办" in page
    assert "该事项已被他人修改" in page
    assert api("leader").case(ids[0])["assignee_id"] == town.user("clerk")
    assert api("leader").case(ids[2])["state"] == "assigned"


def test_an_unfit_assignee_is_reported_for_that_case(browser, found, town):
    person = browser("leader")
    done = person.post("/cases/assign", {"case": str(found[2]["id"]),
                                         f"assignee_{found[2]['id']}": str(town.user("clerk")),
                                         f"version_{found[2]['id']}": "1"})
    page = text_of(done)
    assert "1 件中 0 件已交办" in page and "责任人须是对该单位有角色的在用账号" in page


def test_only_leaders_assign(browser, found):
    assert browser("clerk").get(f"/cases/assign?case={found[0]['id']}").status_code == 403
    assert 'name="case"' not in text_of(browser("clerk").get("/cases"))
