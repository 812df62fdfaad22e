"""Verification over HTTP: the whole record as a job (POST, then GET to follow it), one case at once,
the checkpoint log to download, and the admin and access logs."""

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


def _verify(runtime, api) -> dict:
    """Start a verification, let the worker run it, and read the result."""
    started = api.post("/api/v1/audit/verify")
    assert started.status_code == 202 and started.get_json()["status"] == "queued"
    runtime.jobs.run_pending()
    result = api.get(f"/api/v1/audit/verify?run={started.get_json()['id']}").get_json()
    assert result["status"] == "done" and result["cases_done"] == result["cases_total"]
    return result


def test_an_intact_record_verifies_within_the_auditor_s_scope(runtime, town, as_):
    _two_cases(town, as_)
    result = _verify(runtime, as_("auditor"))
    assert (result["ok"], result["checked"], result["cases_total"], result["first_bad"], result["findings"]) == (
        True, 3, 2, None, [])
    with runtime.transaction() as session:
        factory_for(session, town).user("auditor", "village2", username="village2_auditor")
    result = _verify(runtime, as_("village2_auditor"))
    assert (result["ok"], result["checked"], result["cases_total"]) == (True, 1, 1)


def test_an_edited_event_is_named(runtime, town, as_):
    here, _ = _two_cases(town, as_)
    with runtime.transaction() as session:
        session.execute(update(CaseEvent).where(CaseEvent.case_id == here["id"], CaseEvent.seq == 2)
                        .values(payload='{"assignee_id":1}'))
    result = _verify(runtime, as_("auditor"))
    assert result["ok"] is False
    bad = result["first_bad"]
    assert (bad["case_id"], bad["number"], bad["seq"], bad["code"]) == (here["id"], here["number"], 2,
                                                                        "chain_hash_mismatch")
    assert bad["reason"] == "第 2 条记录被改动过:重新计算的哈希与存储的不同"
    assert result["findings"] == [bad]


def test_before_any_run_there_is_nothing_to_show(town, as_):
    assert_error(as_("auditor").get("/api/v1/audit/verify"), 404, "verification_not_found")


def test_one_case_verifies_at_once_and_names_the_field_edited_on_its_row(runtime, town, as_):
    here, _ = _two_cases(town, as_)
    assert as_("clerk").get(f"/api/v1/cases/{here['id']}/verify").get_json()["ok"] is True
    with runtime.transaction() as session:
        from casework.cases.models import Case

        session.execute(update(Case).where(Case.id == here["id"]).values(assignee_id=None))
    result = as_("auditor").get(f"/api/v1/cases/{here['id']}/verify", headers={"Accept-Language": "en"}).get_json()
    bad = result["first_bad"]
    assert (result["ok"], bad["field"], bad["expected"], bad["found"]) == (False, "assignee_id",
                                                                         str(town.user("clerk")), None)
    assert bad["reason"] == f"the case's assignee_id is None but its events say {town.user('clerk')}"
    assert_error(as_("outsider").get(f"/api/v1/cases/{here['id']}/verify"), 404, "case_not_found")


def test_the_checkpoint_log_and_its_key_download_and_verify_elsewhere(runtime, town, as_):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from casework.audit import checkpoints

    _two_cases(town, as_)
    empty = as_("auditor").get("/api/v1/audit/checkpoints").get_json()
    assert empty == {"public_key": None, "key_id": None, "items": []}
    with runtime.transaction() as session:
        checkpoints.make(session=session, key_path=runtime.settings.checkpoint_key_path)
    log = as_("auditor").get("/api/v1/audit/checkpoints").get_json()
    [item] = log["items"]
    public = load_pem_public_key(log["public_key"].encode())
    public.verify(bytes.fromhex(item["signature"]), item["hash"].encode())  # raises if forged
    detail = as_("auditor").get("/api/v1/audit/checkpoints/1").get_json()
    assert len(detail["entries"]) == item["entry_count"] == 2
    assert checkpoints.root_of([(e["case_id"], e["event_count"], e["head"]) for e in detail["entries"]]) == item["root"]
    assert_error(as_("leader").get("/api/v1/audit/checkpoints"), 403, "forbidden")


def test_only_auditors_and_admins_verify_the_whole_record(town, as_):
    for who in ("leader", "clerk"):
        assert_error(as_(who).post("/api/v1/audit/verify"), 403, "forbidden")
        assert_error(as_(who).get("/api/v1/audit/verify"), 403, "forbidden")
    assert as_("admin").post("/api/v1/audit/verify").status_code == 202


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
