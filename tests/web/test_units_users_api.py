"""Units and users over HTTP: anyone reads inside their scope, admins write, passwords never leave."""

from __future__ import annotations

import re

import pytest

from tests.web.helpers import POSTGRES_ONLY, Api, assert_error, factory_for, sign_in

pytestmark = POSTGRES_ONLY


@pytest.fixture
def admins(runtime, town, client) -> dict[str, Api]:
    """An admin of village T-V1 and one of village T-V2, besides the township's."""
    with runtime.transaction() as session:
        make = factory_for(session, town)
        make.user("admin", "village", username="village_admin")
        make.user("admin", "village2", username="village2_admin")
    return {name: Api(client, sign_in(client, name)) for name in ("admin", "village_admin", "village2_admin")}


# units -------------------------------------------------------------------------------------------

def test_an_admin_adds_a_unit_under_a_parent_in_scope(town, admins):
    response = admins["village_admin"].post("/api/v1/units", {"name": "青山村一组", "kind": "work_team",
                                                              "parent_id": town.unit("village")})
    assert response.status_code == 201
    unit = response.get_json()
    assert set(unit) == {"id", "code", "name", "kind", "parent_id"}
    assert (unit["name"], unit["kind"], unit["parent_id"]) == ("青山村一组", "work_team", town.unit("village"))
    assert re.fullmatch(r"U[0-9A-F]{10}", unit["code"])
    coded = admins["admin"].post("/api/v1/units", {"name": "石桥村二组", "kind": "work_team", "code": "T-V2-2",
                                                   "parent_id": town.unit("village2")})
    assert coded.status_code == 201 and coded.get_json()["code"] == "T-V2-2"
    assert admins["admin"].get(f"/api/v1/units/{unit['id']}").get_json() == unit


def test_a_unit_code_is_unique(town, admins):
    body = {"name": "重复", "kind": "office", "parent_id": town.unit("township")}
    assert_error(admins["admin"].post("/api/v1/units", {**body, "code": "T-V1"}), 409, "duplicate")
    assert admins["admin"].post("/api/v1/units", {**body, "code": "T-NEW"}).status_code == 201
    error = assert_error(admins["admin"].post("/api/v1/units", {**body, "code": "T-NEW"}), 409, "duplicate")
    assert error["details"] == {"what": "unit code", "value": "T-NEW"}


def test_an_admin_cannot_add_units_outside_their_scope(town, admins, as_):
    body = {"name": "越权", "kind": "work_team", "parent_id": town.unit("village")}
    assert_error(admins["village2_admin"].post("/api/v1/units", body), 404, "unit_not_found")
    assert_error(admins["village_admin"].post("/api/v1/units", {**body, "parent_id": town.unit("township")}),
                 404, "unit_not_found")
    for who in ("leader", "clerk", "auditor"):
        assert_error(as_(who).post("/api/v1/units", body), 403, "forbidden")
    assert_error(admins["admin"].post("/api/v1/units", {**body, "kind": "castle"}), 422, "validation_failed")
    assert_error(admins["admin"].post("/api/v1/units", {**body, "parent_id": 999999}), 404, "unit_not_found")


def test_units_are_listed_in_scope_in_tree_order(town, as_):
    codes = [u["code"] for u in as_("clerk").get("/api/v1/units").get_json()["items"]]
    assert sorted(codes) == ["T-V1", "T-V1-P", "T-V1-T"] and codes[0] == "T-V1"
    everything = [u["code"] for u in as_("auditor").get("/api/v1/units").get_json()["items"]]
    assert everything[0] == "T" and len(everything) == 6
    assert everything.index("T-V1") < everything.index("T-V1-T")
    children = as_("auditor").get(f"/api/v1/units?parent_id={town.unit('village')}").get_json()["items"]
    assert sorted(u["code"] for u in children) == ["T-V1-P", "T-V1-T"]
    villages = as_("auditor").get("/api/v1/units?kind=village").get_json()["items"]
    assert sorted(u["code"] for u in villages) == ["T-V1", "T-V2"]
    assert_error(as_("clerk").get(f"/api/v1/units/{town.unit('township')}"), 404, "unit_not_found")


# users -------------------------------------------------------------------------------------------

def test_an_admin_creates_a_user_who_can_then_sign_in(town, admins, client):
    body = {"username": "wang.fang", "password": "S3cret-enough", "display_name": "王芳",
            "memberships": [{"unit_id": town.unit("village"), "role": "unit"},
                            {"unit_id": town.unit("work_team"), "role": "leader"}]}
    response = admins["village_admin"].post("/api/v1/users", body)
    assert response.status_code == 201
    user = response.get_json()
    assert set(user) == {"id", "username", "display_name", "is_active", "memberships", "mobile"}
    assert (user["username"], user["display_name"], user["is_active"]) == ("wang.fang", "王芳", True)
    assert user["memberships"] == [{"unit_id": town.unit("village"), "unit_code": "T-V1", "role": "unit"},
                                   {"unit_id": town.unit("work_team"), "unit_code": "T-V1-T", "role": "leader"}]
    headers = sign_in(client, "wang.fang", "S3cret-enough")
    assert client.get("/api/v1/cases", headers=headers).status_code == 200


def test_passwords_are_never_returned(town, admins, as_):
    created = admins["admin"].post("/api/v1/users", {"username": "li.lei", "password": "S3cret-enough",
                                                     "memberships": [{"unit_id": town.unit("village"),
                                                                      "role": "unit"}]})
    user_id = created.get_json()["id"]
    responses = [created, admins["admin"].get("/api/v1/users"), admins["admin"].get(f"/api/v1/users/{user_id}"),
                 admins["admin"].patch(f"/api/v1/users/{user_id}", {"password": "Another-s3cret"}),
                 as_("clerk").get("/api/v1/users")]
    for response in responses:
        assert response.status_code in (200, 201)
        text = response.get_data(as_text=True)
        assert "password" not in text and "s3cret" not in text and "argon2" not in text


def test_a_username_is_unique(town, admins):
    body = {"username": "clerk", "password": "S3cret-enough", "memberships": [{"unit_id": town.unit("village"),
                                                                              "role": "unit"}]}
    error = assert_error(admins["admin"].post("/api/v1/users", body), 409, "duplicate")
    assert error["details"] == {"what": "username", "value": "clerk"}
    assert_error(admins["admin"].post("/api/v1/users", {**body, "username": "with space"}), 422, "invalid_field")
    assert_error(admins["admin"].post("/api/v1/users", {**body, "username": "x1", "password": "short"}), 422)
    assert_error(admins["admin"].post("/api/v1/users", {**body, "username": "x2", "memberships": [
        {"unit_id": town.unit("village"), "role": "mayor"}]}), 422, "validation_failed")


def test_users_are_created_only_in_units_an_admin_holds(town, admins, as_):
    body = {"username": "zhao", "password": "S3cret-enough",
            "memberships": [{"unit_id": town.unit("village"), "role": "unit"}]}
    assert_error(admins["village2_admin"].post("/api/v1/users", body), 404, "unit_not_found")
    # one membership outside the admin's scope spoils the whole request
    mixed = {**body, "memberships": body["memberships"] + [{"unit_id": town.unit("township"), "role": "leader"}]}
    assert_error(admins["village_admin"].post("/api/v1/users", mixed), 404, "unit_not_found")
    for who in ("leader", "clerk", "auditor"):
        assert_error(as_(who).post("/api/v1/users", body), 403, "forbidden")
    assert all(u["username"] != "zhao" for u in admins["admin"].get("/api/v1/users").get_json()["items"])


def test_users_are_read_within_scope(town, as_):
    visible = {u["username"] for u in as_("clerk").get("/api/v1/users").get_json()["items"]}
    assert visible == {"village_leader", "clerk", "team_member", "officer", "both"}
    assert_error(as_("clerk").get(f"/api/v1/users/{town.user('leader')}"), 404, "user_not_found")
    assert_error(as_("outsider").get(f"/api/v1/users/{town.user('clerk')}"), 404, "user_not_found")
    me = as_("outsider").get(f"/api/v1/users/{town.user('outsider')}").get_json()
    assert me["username"] == "outsider"


def test_an_admin_updates_only_users_entirely_in_their_scope(town, admins):
    clerk = f"/api/v1/users/{town.user('clerk')}"
    renamed = admins["village_admin"].patch(clerk, {"display_name": "张三"})
    assert renamed.status_code == 200 and renamed.get_json()["display_name"] == "张三"
    # "both" also leads at the township, which the village admin does not administer
    assert_error(admins["village_admin"].patch(f"/api/v1/users/{town.user('both')}", {"display_name": "x"}),
                 403, "forbidden")
    assert_error(admins["village2_admin"].patch(clerk, {"display_name": "x"}), 404, "user_not_found")
    assert_error(admins["admin"].patch(clerk, {"display_name": ""}), 422, "validation_failed")
    assert_error(admins["admin"].patch(clerk, {"is_active": "maybe"}), 422, "validation_failed")
    assert_error(admins["admin"].patch(clerk, {"username": "renamed"}), 422, "validation_failed")
