"""Cursor paging over /api/v1/cases: every case exactly once, in the sort's order, on both backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from casework.cases.models import Case

from tests.web.helpers import assert_error, factory_for, person

SORTS = ("-created_at", "created_at", "deadline", "-updated_at", "number")


@pytest.fixture(scope="module")
def town(module_town):
    return module_town


@pytest.fixture(scope="module")
def as_(module_as):
    return module_as


@pytest.fixture(scope="module")
def many(module_runtime, town) -> list[int]:
    """23 cases: some without a deadline, deadlines and timestamps shared by several (ties)."""
    deadlines = [None, date(2026, 12, 1), date(2026, 12, 1), None, date(2026, 11, 20), date(2027, 1, 5)]
    with module_runtime.transaction() as session:
        make = factory_for(session, town)
        leader = person(session, town, "leader")
        made = [make.case("village" if i % 3 else "work_team", by=leader, title=f"问题{i}",
                          deadline=deadlines[i % len(deadlines)]) for i in range(23)]
        ids = [case.id for case in made]
        # several cases created in the same microsecond: the id must break the tie
        tied = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
        session.execute(update(Case).where(Case.id.in_(ids[5:12])).values(created_at=tied, updated_at=tied))
        session.execute(update(Case).where(Case.id.in_(ids[15:18]))
                        .values(updated_at=tied + timedelta(days=1)))
    return ids


def _pages(api, query: str) -> tuple[list[dict], int]:
    items, cursor, pages = [], None, 0
    while True:
        response = api.get(f"/api/v1/cases?{query}" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 50, "paging does not end"


def _key(sort: str):
    field = sort.lstrip("-")
    if field in ("created_at", "updated_at"):
        return lambda item: (datetime.fromisoformat(item[field]), item["id"])
    if field == "deadline":
        return lambda item: (item["deadline"] or "9999-12-31", item["id"])
    return lambda item: (item["number"], item["id"])


@pytest.mark.parametrize("sort", SORTS)
def test_paging_yields_every_case_once_in_order(many, as_, sort):
    items, pages = _pages(as_("leader"), f"sort={sort}&limit=4")
    ids = [item["id"] for item in items]
    assert sorted(ids) == sorted(many) and len(ids) == len(set(ids))
    assert pages == 6  # 23 cases, 4 a page
    assert items == sorted(items, key=_key(sort), reverse=sort.startswith("-"))


def test_cases_without_a_deadline_come_last(many, as_):
    items, _ = _pages(as_("leader"), "sort=deadline&limit=5")
    deadlines = [item["deadline"] for item in items]
    first_undated = deadlines.index(None)
    assert all(d is None for d in deadlines[first_undated:])
    assert deadlines[:first_undated] == sorted(deadlines[:first_undated])


def test_paging_keeps_to_the_filters(town, many, as_):
    items, _ = _pages(as_("leader"), f"unit_id={town.unit('work_team')}&sort=deadline&limit=2")
    assert sorted(item["id"] for item in items) == sorted(many[0::3])
    assert {item["unit_id"] for item in items} == {town.unit("work_team")}


def test_a_page_ends_with_no_cursor(many, as_):
    body = as_("leader").get("/api/v1/cases?limit=23").get_json()
    assert len(body["items"]) == 23 and body["next_cursor"] is None


def test_a_cursor_only_works_with_the_sort_and_filters_it_was_made_for(many, as_):
    leader = as_("leader")
    cursor = leader.get("/api/v1/cases?sort=deadline&limit=4").get_json()["next_cursor"]
    assert leader.get(f"/api/v1/cases?sort=deadline&limit=4&cursor={cursor}").status_code == 200
    # a different page size is the same listing
    assert leader.get(f"/api/v1/cases?sort=deadline&limit=7&cursor={cursor}").status_code == 200
    for changed in ("sort=number", "sort=deadline&state=found", "sort=deadline&q=问题", "sort=deadline&overdue=false",
                    "sort=deadline&unit_id=1"):
        assert_error(leader.get(f"/api/v1/cases?{changed}&limit=4&cursor={cursor}"), 400, "bad_cursor")


def test_a_cursor_belongs_to_its_user(many, as_):
    cursor = as_("leader").get("/api/v1/cases?limit=4").get_json()["next_cursor"]
    assert_error(as_("auditor").get(f"/api/v1/cases?limit=4&cursor={cursor}"), 400, "bad_cursor")


def test_a_garbled_cursor_is_400(many, as_):
    for cursor in ("garbage", "eyJrIjpbXX0", "a.b", "%00", "%ED%A0%80", "." * 1000):
        assert_error(as_("leader").get(f"/api/v1/cases?cursor={cursor}"), 400, "bad_cursor")


def test_a_tampered_cursor_is_400(many, as_):
    cursor = as_("leader").get("/api/v1/cases?limit=4").get_json()["next_cursor"]
    flipped = cursor[:3] + ("A" if cursor[3] != "A" else "B") + cursor[4:]
    assert_error(as_("leader").get(f"/api/v1/cases?limit=4&cursor={flipped}"), 400, "bad_cursor")
