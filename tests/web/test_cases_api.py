"""Cases over HTTP: opening, firing events through each shipped workflow, and every refusal."""

from __future__ import annotations

import re

import pytest

from casework.trail.chain import GENESIS

from tests.web.helpers import CHINESE, add_evidence, assert_error


@pytest.fixture
def village_case(town, as_) -> dict:
    return as_("leader").open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"),
                                   title="扶贫手册信息漏项", description="3 户手册未更新", village="青山村")


def test_the_default_workflow_from_finding_to_verified(town, as_, village_case):
    leader, clerk, auditor = as_("leader"), as_("clerk"), as_("auditor")
    case = village_case
    assert (case["state"], case["version"], case["workflow"]) == ("found", 1, {"key": "default", "version": 1})
    assert re.fullmatch(r"C\d+-2026-0001", case["number"])
    assert case["state_label"] == "发现问题" and case["self_inspection"] is False
    assert case["allowed_events"] == ["assign", "dismiss", "extend", "note"]
    assert clerk.case(case["id"])["allowed_events"] == ["note"]
    assert auditor.case(case["id"])["allowed_events"] == []

    case = leader.fire_ok(case, "assign", assignee_id=town.user("clerk"), deadline="2026-12-20")
    assert (case["state"], case["assignee_id"], case["deadline"], case["version"]) == (
        "assigned", town.user("clerk"), "2026-12-20", 2)
    assert clerk.case(case["id"])["allowed_events"] == ["start", "note"]
    case = clerk.fire_ok(case, "start")
    case = clerk.fire_ok(case, "submit")
    assert case["state"] == "evidenced"
    # reassign too: a case waiting for its check can be handed to someone else (staff changes)
    assert leader.case(case["id"])["allowed_events"] == ["verify", "reject", "extend", "reassign", "note"]
    case = leader.fire_ok(case, "verify")
    assert (case["state"], case["state_label"], case["version"], case["event_count"]) == ("verified", "已销号", 5, 5)
    assert_error(auditor.fire(case, "reopen", reason="复查"), 403, "forbidden")

    history = auditor.get(f"/api/v1/cases/{case['id']}/history").get_json()
    events = history["items"]
    assert [(e["seq"], e["event"], e["from_state"], e["to_state"]) for e in events] == [
        (1, "open", None, "found"), (2, "assign", "found", "assigned"), (3, "start", "assigned", "rectifying"),
        (4, "submit", "rectifying", "evidenced"), (5, "verify", "evidenced", "verified")]
    assert [e["actor_id"] for e in events] == [town.user(n) for n in ("leader", "leader", "clerk", "clerk", "leader")]
    assert events[0]["prev_hash"] == GENESIS
    for before, after in zip(events, events[1:]):
        assert after["prev_hash"] == before["hash"]
    assert len({e["hash"] for e in events}) == 5 and history["chain_head"] == events[-1]["hash"]
    assert events[0]["payload"]["title"] == "扶贫手册信息漏项"
    assert events[1]["payload"] == {"assignee_id": town.user("clerk"), "deadline": "2026-12-20"}

    verified = auditor.get(f"/api/v1/cases/{case['id']}/verify").get_json()
    assert verified["ok"] is True and verified["first_bad"] is None
    assert (verified["checked"], verified["cases"]) == (5, 1)


def test_a_household_case_cannot_be_submitted_without_photo_and_signed_ack(runtime, town, as_):
    leader, officer = as_("leader"), as_("officer")
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("assistance_officer"))
    assert case["workflow"]["key"] == "household"
    case = leader.fire_ok(case, "assign", assignee_id=town.user("officer"))
    case = officer.fire_ok(case, "start")
    error = assert_error(officer.fire(case, "submit"), 422, "missing_evidence")
    assert error["details"]["kinds"] == "photo, signed_ack"
    add_evidence(runtime, town, case["id"], "photo", by="officer")
    error = assert_error(officer.fire(case, "submit"), 422, "missing_evidence")
    assert error["details"]["kinds"] == "signed_ack"
    assert officer.case(case["id"])["state"] == "rectifying"
    add_evidence(runtime, town, case["id"], "signed_ack", by="officer")
    assert officer.fire_ok(case, "submit")["state"] == "evidenced"


def test_a_work_team_case_needs_the_village_then_the_township_to_sign_off(runtime, town, as_):
    leader, village_leader, member = as_("leader"), as_("village_leader"), as_("team_member")
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("work_team"))
    assert case["workflow"]["key"] == "work_team"
    case = leader.fire_ok(case, "assign", assignee_id=town.user("team_member"))
    case = member.fire_ok(case, "start")
    add_evidence(runtime, town, case["id"], "photo", by="team_member")
    case = member.fire_ok(case, "submit")
    assert case["state"] == "evidenced"
    # the township may not do the village's check, nor skip it
    assert_error(leader.fire(case, "village_verify"), 403, "role_not_allowed")
    assert_error(leader.fire(case, "verify"), 409, "event_not_allowed")
    assert "village_verify" in village_leader.case(case["id"])["allowed_events"]
    case = village_leader.fire_ok(case, "village_verify")
    assert (case["state"], case["state_label"]) == ("village_checked", "待镇级复核")
    # and the village may not give the township's sign-off
    assert "verify" not in village_leader.case(case["id"])["allowed_events"]
    assert_error(village_leader.fire(case, "verify"), 403, "role_not_allowed")
    case = leader.fire_ok(case, "verify")
    assert case["state"] == "verified"
    events = leader.get(f"/api/v1/cases/{case['id']}/history").get_json()["items"]
    assert [(e["event"], e["actor_id"]) for e in events[-2:]] == [
        ("village_verify", town.user("village_leader")), ("verify", town.user("leader"))]


def test_whoever_submitted_may_not_verify(town, as_, village_case):
    leader, both = as_("leader"), as_("both")
    case = leader.fire_ok(village_case, "assign", assignee_id=town.user("both"))
    case = both.fire_ok(case, "start")
    case = both.fire_ok(case, "submit")
    assert "verify" not in both.case(case["id"])["allowed_events"]
    error = assert_error(both.fire(case, "verify"), 403, "separation_of_duties")
    assert CHINESE.search(error["message"])
    assert leader.fire_ok(case, "verify")["state"] == "verified"


def test_a_stale_version_is_409_and_changes_nothing(town, as_, village_case):
    leader = as_("leader")
    leader.fire_ok(village_case, "note", comment="已电话联系村委")
    response = leader.fire(village_case, "assign", version=1, assignee_id=town.user("clerk"))
    error = assert_error(response, 409, "stale_version")
    assert error["details"] == {"current": 2, "given": 1}
    assert "2" in error["message"]
    case = leader.case(village_case["id"])
    assert (case["state"], case["version"]) == ("found", 2)


@pytest.mark.parametrize("event", ["verify", "start", "fly"])
def test_an_event_not_allowed_in_the_state_is_409_with_what_is(as_, village_case, event):
    error = assert_error(as_("leader").fire(village_case, event), 409, "event_not_allowed")
    assert error["details"]["allowed"] == ["assign", "dismiss", "extend", "note"]
    assert error["details"]["state"] == "found"
    assert "发现问题" in error["message"]


def test_a_role_the_workflow_does_not_name_is_403(as_, village_case, town):
    error = assert_error(as_("clerk").fire(village_case, "assign", assignee_id=town.user("clerk")),
                         403, "role_not_allowed")
    assert error["details"]["roles"] == ["leader"]
    assert "交办" in error["message"]


def test_a_missing_reason_is_422(as_, village_case):
    leader = as_("leader")
    error = assert_error(leader.fire(village_case, "dismiss"), 422, "missing_fields")
    assert error["details"]["fields"] == "reason"
    assert_error(leader.fire(village_case, "dismiss", reason="   "), 422, "missing_fields")
    assert_error(leader.fire(village_case, "extend", reason="汛期"), 422, "missing_fields")
    case = leader.fire_ok(village_case, "dismiss", reason="经核实不属实")
    assert case["state"] == "dismissed" and case["allowed_events"] == []


def test_fields_the_event_does_not_take_are_422(as_, village_case, town):
    leader = as_("leader")
    error = assert_error(leader.fire(village_case, "note", comment="x", reason="y"), 422, "invalid_field")
    assert error["details"]["field"] == "reason"
    # an assignee needs a role over the case's unit
    error = assert_error(leader.fire(village_case, "assign", assignee_id=town.user("outsider")), 422, "invalid_field")
    assert error["details"]["field"] == "assignee_id"
    assert_error(leader.fire(village_case, "assign", assignee_id=2**31 - 1), 422, "invalid_field")


def test_extend_and_reassign_change_the_case_but_not_its_state(town, as_, village_case):
    leader = as_("leader")
    case = leader.fire_ok(village_case, "assign", assignee_id=town.user("clerk"), deadline="2026-12-01")
    case = leader.fire_ok(case, "extend", reason="汛期道路中断", deadline="2026-12-31")
    assert (case["state"], case["deadline"]) == ("assigned", "2026-12-31")
    case = leader.fire_ok(case, "reassign", unit_id=town.unit("work_team"), assignee_id=town.user("team_member"))
    assert (case["state"], case["unit_id"], case["assignee_id"]) == ("assigned", town.unit("work_team"),
                                                                      town.user("team_member"))
    # the case keeps the workflow it was opened with
    assert case["workflow"]["key"] == "default"


def test_a_case_out_of_scope_is_404_for_reading_and_for_events(as_, village_case):
    outsider = as_("outsider")
    for response in (outsider.get(f"/api/v1/cases/{village_case['id']}"),
                     outsider.get(f"/api/v1/cases/{village_case['id']}/history"),
                     outsider.fire(village_case, "note", version=1, comment="看看")):
        assert_error(response, 404, "case_not_found")
    assert_error(as_("leader").get("/api/v1/cases/999999"), 404, "case_not_found")


def test_a_unit_may_open_a_case_for_itself_only(town, as_):
    clerk = as_("clerk")
    own = clerk.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="自查:档案缺页")
    assert own["self_inspection"] is True and own["state"] == "found"
    # The village's work team is in the clerk's sight, but its own unit: the team opens its cases.
    below = clerk.post("/api/v1/cases", {"campaign_id": town.campaign_id, "unit_id": town.unit("work_team"),
                                         "title": "替工作队登记"})
    assert_error(below, 403, "cannot_open_case")
    for unit in ("village2", "township"):
        assert_error(clerk.post("/api/v1/cases", {"campaign_id": town.campaign_id, "unit_id": town.unit(unit),
                                                  "title": "越权登记"}), 404, "unit_not_found")


def test_opening_refers_to_things_that_exist(town, as_):
    leader = as_("leader")
    body = {"campaign_id": town.campaign_id, "unit_id": town.unit("village"), "title": "问题"}
    assert_error(leader.post("/api/v1/cases", {**body, "campaign_id": 999999}), 404, "campaign_not_found")
    assert_error(leader.post("/api/v1/cases", {**body, "unit_id": 999999}), 404, "unit_not_found")
    assert_error(leader.post("/api/v1/cases", {**body, "item_id": 999999}), 404, "item_not_found")
    assert_error(leader.post("/api/v1/cases", {**body, "severity": "urgent"}), 422, "validation_failed")
    assert_error(leader.post("/api/v1/cases", {**body, "deadline": "2026-02-30"}), 422, "validation_failed")
    blank = assert_error(leader.post("/api/v1/cases", {**body, "title": "   "}), 422, "validation_failed")
    assert blank["details"]["fields"] == {"title": ["不能为空"]}
