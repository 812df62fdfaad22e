"""Campaigns and their inspection items over HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from casework.campaigns import service as campaigns

from tests.web.helpers import POSTGRES_ONLY, assert_error, factory_for

pytestmark = POSTGRES_ONLY


@pytest.fixture
def village_campaign(runtime, town) -> int:
    """A self-inspection campaign led by village T-V1 (invisible from T-V2)."""
    with runtime.transaction() as session:
        make = factory_for(session, town)
        return campaigns.create(session=session, name="青山村自查", code="QS", starts_on=date(2026, 11, 1),
                                leader_unit=make.unit("village")).id


def test_a_village_sees_its_township_s_campaign(town, as_, village_campaign):
    for who in ("clerk", "team_member", "outsider"):
        listed = as_(who).get("/api/v1/campaigns").get_json()["items"]
        assert town.campaign_id in {c["id"] for c in listed}, who
    campaign = as_("clerk").get(f"/api/v1/campaigns/{town.campaign_id}").get_json()
    assert campaign["name"] == "大排查大整改" and campaign["leader_unit_id"] == town.unit("township")
    assert campaign["timezone"] == "Asia/Shanghai"
    # a village's own campaign stays inside it (and above it)
    assert village_campaign in {c["id"] for c in as_("leader").get("/api/v1/campaigns").get_json()["items"]}
    assert village_campaign not in {c["id"] for c in as_("outsider").get("/api/v1/campaigns").get_json()["items"]}
    assert_error(as_("outsider").get(f"/api/v1/campaigns/{village_campaign}"), 404, "campaign_not_found")
    assert_error(as_("outsider").get(f"/api/v1/campaigns/{village_campaign}/items"), 404, "campaign_not_found")


def test_a_leader_opens_a_campaign_for_their_unit(town, as_):
    leader = as_("leader")
    body = {"name": "人居环境整治", "code": "RJ", "starts_on": "2026-12-01", "ends_on": "2027-03-31",
            "leader_unit_id": town.unit("township")}
    response = leader.post("/api/v1/campaigns", body)
    assert response.status_code == 201
    created = response.get_json()
    assert {k: created[k] for k in body} == body and created["id"] > 0
    assert created["id"] in {c["id"] for c in as_("clerk").get("/api/v1/campaigns").get_json()["items"]}
    assert_error(leader.post("/api/v1/campaigns", body), 409, "duplicate")
    ends_first = {**body, "code": "R2", "ends_on": "2026-11-01"}
    assert_error(leader.post("/api/v1/campaigns", ends_first), 422, "invalid_field")
    assert_error(leader.post("/api/v1/campaigns", {**body, "code": "lower"}), 422, "validation_failed")


def test_only_leaders_of_the_leading_unit_open_campaigns(town, as_):
    body = {"name": "人居环境整治", "code": "RJ", "starts_on": "2026-12-01", "leader_unit_id": town.unit("township")}
    assert_error(as_("clerk").post("/api/v1/campaigns", body), 403, "forbidden")
    assert_error(as_("auditor").post("/api/v1/campaigns", body), 403, "forbidden")
    # the township is outside a village leader's scope
    assert_error(as_("village_leader").post("/api/v1/campaigns", body), 404, "unit_not_found")
    own = as_("village_leader").post("/api/v1/campaigns", {**body, "leader_unit_id": town.unit("village")})
    assert own.status_code == 201


def test_a_leader_adds_inspection_items_in_plan_order(town, as_):
    leader = as_("leader")
    url = f"/api/v1/campaigns/{town.campaign_id}/items"
    first = leader.post(url, {"title": "住房安全有保障", "code": "一.(一).1", "what_to_inspect": "危房是否改造",
                              "rectification_measure": "限期改造", "responsible": ["village", "work_team"],
                              "default_deadline": "2026-11-30"})
    assert first.status_code == 201
    item = first.get_json()
    assert (item["campaign_id"], item["title"], item["responsible"], item["default_deadline"]) == (
        town.campaign_id, "住房安全有保障", ["village", "work_team"], "2026-11-30")
    assert leader.post(url, {"title": "饮水安全有保障"}).status_code == 201
    items = as_("clerk").get(url).get_json()["items"]
    assert [i["title"] for i in items] == ["住房安全有保障", "饮水安全有保障"]
    # others may read the items but not add them
    assert_error(as_("clerk").post(url, {"title": "x"}), 403, "forbidden")
    assert_error(as_("village_leader").post(url, {"title": "x"}), 403, "forbidden")
    assert_error(as_("auditor").post(url, {"title": "x"}), 403, "forbidden")
    assert_error(leader.post(url, {"title": "x", "workflow_key": "nope"}), 404, "workflow_not_found")
    assert_error(leader.post("/api/v1/campaigns/999999/items", {"title": "x"}), 404, "campaign_not_found")


def test_an_item_s_workflow_and_deadline_carry_over_to_its_cases(town, as_):
    leader = as_("leader")
    item = leader.post(f"/api/v1/campaigns/{town.campaign_id}/items",
                       {"title": "入户核查", "workflow_key": "household", "default_deadline": "2026-12-15"}).get_json()
    assert item["workflow_key"] == "household"
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), item_id=item["id"])
    assert case["workflow"]["key"] == "household" and case["deadline"] == "2026-12-15"
    assert case["item_id"] == item["id"]
    dated = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), item_id=item["id"],
                             deadline="2026-11-20")
    assert dated["deadline"] == "2026-11-20"


def test_an_item_of_another_campaign_is_not_found(town, as_, village_campaign):
    leader = as_("leader")
    item = leader.post(f"/api/v1/campaigns/{village_campaign}/items", {"title": "村内自查"}).get_json()
    response = leader.post("/api/v1/cases", {"campaign_id": town.campaign_id, "unit_id": town.unit("village"),
                                             "title": "x", "item_id": item["id"]})
    assert_error(response, 404, "item_not_found")
