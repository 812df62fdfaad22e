"""Staff changes over HTTP, on SQLite and PostgreSQL: a leader hands a person's open cases over in
one step (or is refused, naming the cases, with nothing written); an admin changes someone's roles
or moves them to another unit; an admin renames and moves units."""

from __future__ import annotations

import pytest
import yaml

from casework.paths import workflows_dir
from casework.workflows import registry
from casework.workflows.definition import from_data

from tests.web.helpers import assert_error, factory_for

REASON = "赵专干调任镇扶贫工作站,其事项移交新任专干"


@pytest.fixture
def newcomer(runtime, town):
    """A second clerk at village T-V1, who takes the cases over."""
    with runtime.transaction() as session:
        return factory_for(session, town).user("unit", "village", username="newcomer").id


def _clerks_cases(as_, town) -> list[dict]:
    """Three cases of the village assigned to the clerk: assigned, rectifying, evidenced."""
    leader, clerk = as_("leader"), as_("clerk")
    made = []
    for steps in ([], ["start"], ["start", "submit"]):
        case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title=f"漏项{len(made)}")
        case = leader.fire_ok(case, "assign", assignee_id=town.user("clerk"))
        for event in steps:
            case = clerk.fire_ok(case, event)
        made.append(case)
    return made


def _events(as_, case_id: int) -> list[dict]:
    return as_("auditor").get(f"/api/v1/cases/{case_id}/history").get_json()["items"]


def test_a_leader_hands_every_open_case_over_in_one_step(town, as_, newcomer):
    cases = _clerks_cases(as_, town)
    response = as_("leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over",
                                  {"to_user_id": newcomer, "reason": REASON})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["count"] == 3 and [c["id"] for c in body["items"]] == [c["id"] for c in cases]
    for before in cases:
        after = as_("leader").case(before["id"])
        assert (after["assignee_id"], after["state"], after["version"]) == (newcomer, before["state"],
                                                                             before["version"] + 1)
        last = _events(as_, before["id"])[-1]
        assert (last["event"], last["payload"]["reason"], last["payload"]["assignee_id"]) == ("reassign", REASON,
                                                                                               newcomer)
        assert as_("auditor").get(f"/api/v1/cases/{before['id']}/verify").get_json()["ok"] is True
    # The clerk has nothing left.
    assert as_("leader").get(f"/api/v1/cases?assignee_id={town.user('clerk')}").get_json()["items"] == []


def test_a_hand_over_to_someone_who_cannot_work_the_unit_is_refused_naming_the_cases(town, as_):
    cases = _clerks_cases(as_, town)
    # The work team's member works the team's own unit, not the village's.
    response = as_("leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over",
                                  {"to_user_id": town.user("team_member"), "reason": REASON})
    error = assert_error(response, 422, "handover_refused")
    assert all(c["number"] in error["message"] for c in cases)
    assert error["message"].startswith("移交未执行")
    assert [p["number"] for p in error["details"]["problems"]] == [c["number"] for c in cases]
    assert {p["code"] for p in error["details"]["problems"]} == {"handover_receiver_unfit"}
    # Nothing was written: no case moved, no event was added.
    for before in cases:
        after = as_("leader").case(before["id"])
        assert (after["assignee_id"], after["version"]) == (town.user("clerk"), before["version"])
        assert _events(as_, before["id"])[-1]["event"] != "reassign"
    english = as_("leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over",
                                 {"to_user_id": town.user("team_member"), "reason": REASON},
                                 headers={"Accept-Language": "en"})
    assert assert_error(english, 422)["message"].startswith("Nothing was handed over")


def test_cases_can_move_to_another_unit_with_the_receiver(town, as_):
    cases = _clerks_cases(as_, town)
    response = as_("leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over", {
        "to_user_id": town.user("team_member"), "reason": REASON, "unit_id": town.unit("work_team")})
    assert response.status_code == 200, response.get_json()
    for case in cases:
        after = as_("leader").case(case["id"])
        assert (after["unit_id"], after["assignee_id"]) == (town.unit("work_team"), town.user("team_member"))


def test_a_village_leader_hands_over_only_what_lies_in_their_village(runtime, town, as_, newcomer):
    here = _clerks_cases(as_, town)[0]
    with runtime.transaction() as session:  # the clerk also works the sibling village
        factory_for(session, town).tree()
        from casework.users import service as users
        from tests.web.helpers import person

        users.grant(session=session, user=person(session, town, "clerk"),
                    unit=factory_for(session, town).unit("village2"), role="unit")
    leader = as_("leader")
    there = leader.fire_ok(leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village2")), "assign",
                           assignee_id=town.user("clerk"))
    response = as_("village_leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over",
                                          {"to_user_id": newcomer, "reason": REASON})
    assert response.status_code == 200 and response.get_json()["count"] == 3
    assert leader.case(here["id"])["assignee_id"] == newcomer
    assert leader.case(there["id"])["assignee_id"] == town.user("clerk")


def test_only_leaders_hand_over_and_only_in_their_scope(town, as_, newcomer):
    _clerks_cases(as_, town)
    body = {"to_user_id": newcomer, "reason": REASON}
    for who in ("clerk", "auditor", "admin"):
        assert_error(as_(who).post(f"/api/v1/users/{town.user('clerk')}/hand-over", body), 403, "forbidden")
    assert_error(as_("outsider").post(f"/api/v1/users/{town.user('clerk')}/hand-over", body), 404, "user_not_found")
    assert_error(as_("leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over", {**body, "reason": " "}),
                 422)
    same = as_("leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over",
                              {**body, "to_user_id": town.user("clerk")})
    assert assert_error(same, 422, "invalid_field")["details"]["field"] == "to_user_id"


def test_cases_pinned_to_an_older_workflow_stay_on_it_and_say_why_they_cannot_be_handed_over(
        runtime, town, as_, newcomer):
    # An install that had the workflow before `reassign` reached `evidenced`: its cases keep that version.
    shipped = yaml.safe_load((workflows_dir() / "default.yaml").read_text(encoding="utf-8"))
    shipped["events"]["reassign"]["from"] = ["assigned", "rectifying"]
    with runtime.transaction() as session:
        older = registry.register(session=session, definition=from_data(shipped, source="older default"))
    old_cases = _clerks_cases(as_, town)
    with runtime.transaction() as session:
        newer = registry.sync_folder(session=session, folder=workflows_dir())
    assert [c["workflow"]["version"] for c in old_cases] == [older.version] * 3
    current = next(p for p in newer if p.key == "default")
    assert current.version == older.version + 1
    assert as_("leader").case(old_cases[2]["id"])["workflow"]["version"] == older.version
    response = as_("leader").post(f"/api/v1/users/{town.user('clerk')}/hand-over",
                                  {"to_user_id": newcomer, "reason": REASON})
    error = assert_error(response, 422, "handover_refused")
    assert [(p["number"], p["code"]) for p in error["details"]["problems"]] == [
        (old_cases[2]["number"], "handover_not_reassignable")]
    assert f"第 {older.version} 版" in error["details"]["problems"][0]["reason"]
    # A case opened now takes the new version, which reassigns from `evidenced`.
    fresh = as_("leader").open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    assert fresh["workflow"]["version"] == current.version


# roles and moves ---------------------------------------------------------------------------------

def test_an_admin_moves_a_user_to_another_unit_and_is_told_what_to_hand_over(town, as_):
    cases = _clerks_cases(as_, town)
    response = as_("admin").put(f"/api/v1/users/{town.user('clerk')}/memberships",
                                {"memberships": [{"unit_id": town.unit("village2"), "role": "unit"}]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [(m["unit_id"], m["role"]) for m in body["memberships"]] == [(town.unit("village2"), "unit")]
    assert [c["number"] for c in body["stranded_cases"]] == [c["number"] for c in cases]
    log = as_("auditor").get(f"/api/v1/audit/admin-log?target_type=user&target_id={town.user('clerk')}")
    actions = [(e["action"], e["payload"].get("unit_id")) for e in log.get_json()["items"]][:2]
    assert actions == [("role.grant", town.unit("village2")), ("role.revoke", town.unit("village"))]
    # Their sight moved with them.
    assert as_("clerk").get(f"/api/v1/cases/{cases[0]['id']}").status_code == 404


def test_an_admin_grants_and_revokes_roles(town, as_):
    url = f"/api/v1/users/{town.user('clerk')}/memberships"
    both = {"memberships": [{"unit_id": town.unit("village"), "role": "unit"},
                            {"unit_id": town.unit("village"), "role": "leader"}]}
    assert as_("admin").put(url, both).status_code == 200
    assert sorted(m["role"] for m in as_("admin").get(f"/api/v1/users/{town.user('clerk')}").get_json()
                  ["memberships"]) == ["leader", "unit"]
    assert as_("admin").put(url, {"memberships": both["memberships"][1:]}).status_code == 200
    assert [m["role"] for m in as_("admin").get(f"/api/v1/users/{town.user('clerk')}").get_json()
            ["memberships"]] == ["leader"]


def test_role_changes_are_refused_where_they_would_harm(town, as_):
    url = f"/api/v1/users/{town.user('clerk')}/memberships"
    village2 = {"memberships": [{"unit_id": town.unit("village2"), "role": "unit"}]}
    assert_error(as_("admin").put(url, {"memberships": []}), 422, "validation_failed")
    assert_error(as_("admin").put(f"/api/v1/users/{town.user('admin')}/memberships", village2), 403,
                 "cannot_change_own_roles")
    for who in ("leader", "clerk", "auditor"):
        assert_error(as_(who).put(url, village2), 403, "forbidden")
    assert_error(as_("admin").put(url, {"memberships": [{"unit_id": 999999, "role": "unit"}]}), 404,
                 "unit_not_found")


def test_a_village_admin_changes_roles_only_in_their_village(runtime, town, as_):
    with runtime.transaction() as session:
        factory_for(session, town).user("admin", "village", username="village_admin")
    url = f"/api/v1/users/{town.user('clerk')}/memberships"
    team = {"memberships": [{"unit_id": town.unit("work_team"), "role": "unit"}]}
    assert as_("village_admin").put(url, team).status_code == 200
    assert_error(as_("village_admin").put(url, {"memberships": [{"unit_id": town.unit("township"), "role": "unit"}]}),
                 404, "unit_not_found")
    # The township leader holds a role above the village: an admin of the village may not touch it.
    assert_error(as_("village_admin").put(f"/api/v1/users/{town.user('both')}/memberships", team), 403,
                 "forbidden")


# units -------------------------------------------------------------------------------------------

def test_an_admin_renames_and_moves_a_unit_with_everything_below_it(town, as_):
    team = town.unit("work_team")
    renamed = as_("admin").patch(f"/api/v1/units/{team}", {"name": "青山村第一驻村工作队"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "青山村第一驻村工作队"
    leader = as_("leader")
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=team)
    assert as_("outsider").get(f"/api/v1/cases/{case['id']}").status_code == 404
    moved = as_("admin").patch(f"/api/v1/units/{team}", {"parent_id": town.unit("village2")})
    assert moved.status_code == 200 and moved.get_json()["parent_id"] == town.unit("village2")
    # Scope follows the tree: the other village now sees the team's case, the first no longer does.
    assert as_("outsider").get(f"/api/v1/cases/{case['id']}").status_code == 200
    assert as_("village_leader").get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert as_("auditor").get(f"/api/v1/cases/{case['id']}/verify").get_json()["ok"] is True
    log = as_("auditor").get(f"/api/v1/audit/admin-log?target_type=unit&target_id={team}").get_json()["items"]
    assert [e["action"] for e in log[:2]] == ["unit.move", "unit.rename"]


def test_unit_moves_that_would_break_the_tree_are_refused(town, as_):
    admin = as_("admin")
    assert_error(admin.patch(f"/api/v1/units/{town.unit('township')}", {"parent_id": town.unit("village")}), 409,
                 "unit_root_fixed")
    into_own = admin.patch(f"/api/v1/units/{town.unit('village')}", {"parent_id": town.unit("work_team")})
    assert assert_error(into_own, 422, "invalid_field")["details"]["field"] == "parent_id"
    for who in ("leader", "clerk", "auditor"):
        assert_error(as_(who).patch(f"/api/v1/units/{town.unit('work_team')}", {"name": "x"}), 403, "forbidden")


def test_a_move_past_the_deepest_level_is_refused(runtime, town, as_):
    from casework.limits import MAX_UNIT_DEPTH
    from casework.units import service as units
    from casework.units.models import Unit

    with runtime.transaction() as session:
        parent = session.get(Unit, town.unit("village2"))
        while parent.path.count("/") - 1 < MAX_UNIT_DEPTH:
            parent = units.create(session=session, name="层", kind="work_team", parent=parent)
        deepest = parent.id
    response = as_("admin").patch(f"/api/v1/units/{town.unit('village')}", {"parent_id": deepest})
    assert_error(response, 422, "unit_tree_too_deep")
