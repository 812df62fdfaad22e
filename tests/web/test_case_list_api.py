"""GET /api/v1/cases: what each filter keeps, scope, and which fields a list item carries."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.campaigns import service as campaigns
from casework.cases import queries
from casework.cases import service as case_service

from tests.web.helpers import assert_error, factory_for, person


def _today() -> date:
    return queries.today(ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def town(module_town):
    return module_town


@pytest.fixture(scope="module")
def as_(module_as):
    return module_as


@pytest.fixture(scope="module")
def cases(module_runtime, town):
    """Cases spread over units, campaigns, states, assignees and deadlines; name → id."""
    today = _today()
    with module_runtime.transaction() as session:
        make = factory_for(session, town)
        leader, clerk = person(session, town, "leader"), person(session, town, "clerk")
        other = campaigns.create(session=session, name="人居环境整治", code="RJ", starts_on=date(2026, 11, 1),
                                 leader_unit=make.unit("township"))
        made = {
            "late": make.case("village", by=leader, title="危房未改造", deadline=today - timedelta(days=1)),
            "due_today": make.case("village", by=leader, title="饮水不达标", deadline=today),
            "dismissed_late": make.case("work_team", by=leader, title="重复登记", deadline=today - timedelta(days=5)),
            "undated": make.case("village", by=leader, title="手册漏项", village="青山村三组",
                                 description="帮扶手册 100% 覆盖"),
            "elsewhere": make.case("village2", by=leader, title="路灯损坏", deadline=today - timedelta(days=3)),
        }
        made["other_campaign"] = case_service.open_case(
            session=session, actor=leader, campaign_id=other.id, unit_id=make.unit("office").id, title="台账不全",
            deadline=today + timedelta(days=9))
        make.fire(made["due_today"], "assign", leader, assignee_id=clerk.id)
        make.fire(made["dismissed_late"], "dismiss", leader, reason="与 QS-0001 重复")
        ids = {name: case.id for name, case in made.items()}
        numbers = {name: case.number for name, case in made.items()}
    return ids, numbers, other.id


def _listed(api, query: str = "") -> list[int]:
    response = api.get("/api/v1/cases" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_json()
    return sorted(item["id"] for item in response.get_json()["items"])


def _ids(ids: dict, *names: str) -> list[int]:
    return sorted(ids[n] for n in names)


def test_each_filter_keeps_the_cases_it_names(town, cases, as_):
    ids, numbers, other_campaign = cases
    leader = as_("leader")
    assert _listed(leader) == sorted(ids.values())
    assert _listed(leader, "state=assigned") == _ids(ids, "due_today")
    assert _listed(leader, "state=dismissed") == _ids(ids, "dismissed_late")
    assert _listed(leader, f"unit_id={town.unit('village')}") == _ids(
        ids, "late", "due_today", "dismissed_late", "undated")  # the work team sits under the village
    assert _listed(leader, f"unit_id={town.unit('work_team')}") == _ids(ids, "dismissed_late")
    assert _listed(leader, f"campaign_id={other_campaign}") == _ids(ids, "other_campaign")
    assert _listed(leader, f"campaign_id={town.campaign_id}") == _ids(
        ids, "late", "due_today", "dismissed_late", "undated", "elsewhere")
    assert _listed(leader, f"assignee_id={town.user('clerk')}") == _ids(ids, "due_today")
    assert _listed(leader, f"state=found&unit_id={town.unit('village')}") == _ids(ids, "late", "undated")


def test_overdue_means_past_the_local_deadline_and_not_closed(cases, as_):
    ids, _, _ = cases
    leader = as_("leader")
    # due today is not late yet (deadlines are inclusive); a dismissed case is never late
    assert _listed(leader, "overdue=true") == _ids(ids, "late", "elsewhere")
    assert _listed(leader, "overdue=false") == _ids(ids, "due_today", "dismissed_late", "undated", "other_campaign")
    flags = {item["id"]: item["overdue"] for item in leader.get("/api/v1/cases").get_json()["items"]}
    assert {i for i, late in flags.items() if late} == set(_ids(ids, "late", "elsewhere"))


def test_text_search_looks_in_number_title_description_and_village(cases, as_):
    ids, _, _ = cases
    for query, expected in [
        ("q=路灯", ["elsewhere"]),
        ("q=三组", ["undated"]),                   # village
        ("q=100%25", ["undated"]),                 # description, and '%' is a character, not a wildcard
        ("q=%25", ["undated"]),
        ("q=_", []),
        ("q=rj-2026", ["other_campaign"]),         # number, case-insensitive
    ]:
        assert _listed(as_("leader"), query) == _ids(ids, *expected), query


def test_the_list_holds_only_what_is_in_scope(town, cases, as_):
    ids, _, _ = cases
    assert _listed(as_("clerk")) == _ids(ids, "late", "due_today", "dismissed_late", "undated")
    assert _listed(as_("outsider")) == _ids(ids, "elsewhere")
    # filtering by a unit outside one's scope says nothing about it
    assert _listed(as_("outsider"), f"unit_id={town.unit('village')}") == []
    assert _listed(as_("auditor")) == sorted(ids.values())


def test_list_items_leave_out_allowed_events_and_the_case_has_them(cases, as_):
    ids, _, _ = cases
    leader = as_("leader")
    items = leader.get("/api/v1/cases").get_json()["items"]
    assert items and all("allowed_events" not in item for item in items)
    assert {"id", "number", "state", "version", "workflow", "assignee_id", "overdue", "escalation_level",
            "created_at", "updated_at", "campaign_id", "unit_id", "title", "deadline"} <= set(items[0])
    case = leader.case(ids["late"])
    assert case["allowed_events"] == ["assign", "dismiss", "extend", "note"]


def test_bad_query_parameters_are_422(town, as_):
    for query in ("limit=0", "limit=201", "limit=100000", "limit=-1", "limit=abc", "sort=bogus", "sort=id",
                  "overdue=maybe", "state=Found!", "unit_id=0", "unit_id=abc", "unit_id=99999999999999999999",
                  "campaign_id=1.5", "q=" + "x" * 101, "q=%00", "cursor=" + "x" * 1001):
        error = assert_error(as_("leader").get(f"/api/v1/cases?{query}"), 422, "validation_failed")
        assert query.split("=")[0] in error["details"]["fields"], query


def test_the_page_size_is_capped(town, as_):
    assert as_("leader").get("/api/v1/cases?limit=200").status_code == 200
    assert_error(as_("leader").get("/api/v1/cases?limit=201"), 422)
