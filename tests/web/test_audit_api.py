"""GET /api/v1/audit/verify: what an auditor sees when the record is intact, and when it is not."""

from __future__ import annotations

from sqlalchemy import update

from casework.trail.models import CaseEvent

from tests.web.helpers import assert_error, factory_for


def _two_cases(town, as_) -> tuple[dict, dict]:
    leader = as_("leader")
    here = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    leader.fire_ok(here, "assign", assignee_id=town.user("clerk"))
    there = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village2"))
    return here, there


def test_an_intact_record_verifies_within_the_auditor_s_scope(runtime, town, as_):
    _two_cases(town, as_)
    result = as_("auditor").get("/api/v1/audit/verify").get_json()
    assert result == {"ok": True, "checked": 3, "cases": 2, "first_bad": None}
    with runtime.transaction() as session:
        factory_for(session, town).user("auditor", "village2", username="village2_auditor")
    result = as_("village2_auditor").get("/api/v1/audit/verify").get_json()
    assert (result["ok"], result["checked"], result["cases"]) == (True, 1, 1)


def test_an_edited_event_is_named(runtime, town, as_):
    here, _ = _two_cases(town, as_)
    with runtime.transaction() as session:
        session.execute(update(CaseEvent).where(CaseEvent.case_id == here["id"], CaseEvent.seq == 2)
                        .values(payload='{"assignee_id":1}'))
    result = as_("auditor").get("/api/v1/audit/verify").get_json()
    assert result["ok"] is False
    assert (result["first_bad"]["case_id"], result["first_bad"]["number"], result["first_bad"]["seq"]) == (
        here["id"], here["number"], 2)
    assert "hash" in result["first_bad"]["reason"]


def test_only_auditors_and_admins_verify(town, as_):
    for who in ("leader", "clerk"):
        assert_error(as_(who).get("/api/v1/audit/verify"), 403, "forbidden")
    assert as_("admin").get("/api/v1/audit/verify").status_code == 200


def test_an_auditor_finds_who_gave_a_user_leader_rights_and_when(runtime, town, as_):
    admin = as_("admin")
    made = admin.post("/api/v1/users", {"username": "new_leader", "password": "A-long-password1",
                                        "memberships": [{"unit_id": town.unit("village"), "role": "leader"}]})
    assert made.status_code == 201
    user_id = made.get_json()["id"]
    page = as_("auditor").get(f"/api/v1/audit/admin-log?target_type=user&target_id={user_id}").get_json()
    actions = [(e["action"], e["actor_id"], e["payload"].get("role")) for e in page["items"]]
    assert actions == [("role.grant", town.user("admin"), "leader"), ("user.create", town.user("admin"), None)]
    assert all(e["at"] for e in page["items"]) and page["next_cursor"] is None


def test_the_admin_log_keeps_to_the_auditor_s_scope_and_pages(runtime, town, as_):
    with runtime.transaction() as session:
        factory_for(session, town).user("auditor", "village2", username="village2_auditor")
    everything = as_("auditor").get("/api/v1/audit/admin-log?limit=200").get_json()["items"]
    mine = as_("village2_auditor").get("/api/v1/audit/admin-log?limit=200").get_json()["items"]
    assert {(e["target_type"], e["target_id"]) for e in mine} < {(e["target_type"], e["target_id"]) for e in everything}
    assert ("unit", town.unit("village")) not in {(e["target_type"], e["target_id"]) for e in mine}
    seen, cursor = [], None
    while True:
        url = "/api/v1/audit/admin-log?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = as_("auditor").get(url).get_json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [e["id"] for e in everything]
    first = as_("auditor").get("/api/v1/audit/admin-log?limit=3").get_json()["next_cursor"]
    assert_error(as_("auditor").get(f"/api/v1/audit/admin-log?target_type=unit&cursor={first}"), 400, "bad_cursor")


def test_renaming_a_user_is_in_the_admin_log_with_the_old_and_new_name(town, as_):
    clerk = town.user("clerk")
    assert as_("admin").patch(f"/api/v1/users/{clerk}", {"display_name": "赵专干(已调岗)"}).status_code == 200
    page = as_("auditor").get(f"/api/v1/audit/admin-log?target_type=user&target_id={clerk}").get_json()
    newest = page["items"][0]
    assert (newest["action"], newest["actor_id"]) == ("user.rename", town.user("admin"))
    assert newest["payload"]["to"] == "赵专干(已调岗)" and newest["payload"]["from"] != newest["payload"]["to"]
