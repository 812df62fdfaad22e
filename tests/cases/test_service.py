"""Opening cases and firing their events: what a person sees happen, and what they are told
when something is refused (in the order the service checks it)."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from sqlalchemy import func, select

from casework.trail.models import CaseEvent
from casework.audit.verify import verify_all, verify_case
from casework.cases import service as cases
from casework.cases.models import Case
from casework.errors import Conflict, Forbidden, NotFound, Unprocessable
from casework.outbox.models import OutboxMessage

from tests.drive import Driver


def history(session, case) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))


def unchanged(session, case, state: str, version: int) -> None:
    """A refused event leaves no trace: same state and version, no new event."""
    session.refresh(case)
    assert (case.state, case.version, case.event_count) == (state, version, version)
    assert len(history(session, case)) == version


# --- the happy path -------------------------------------------------------------------------
def test_a_case_goes_from_found_to_verified_with_an_intact_chain(session, make):
    leader = make.user("leader", "township")
    clerk = make.user("unit", "village")
    case = make.case("village", by=leader)
    assert case.state == "found" and case.number.endswith("-2026-0001")
    case = make.fire(case, "assign", leader, assignee_id=clerk.id)
    assert case.assignee_id == clerk.id
    case = make.fire(case, "start", clerk)
    case = make.fire(case, "submit", clerk, comment="已补填走访记录8份")
    case = make.fire(case, "verify", leader)
    assert (case.state, case.version, case.event_count) == ("verified", 5, 5)
    events = history(session, case)
    assert [(e.event, e.from_state, e.to_state) for e in events] == [
        ("open", None, "found"), ("assign", "found", "assigned"), ("start", "assigned", "rectifying"),
        ("submit", "rectifying", "evidenced"), ("verify", "evidenced", "verified")]
    assert [e.actor_id for e in events] == [leader.id, leader.id, clerk.id, clerk.id, leader.id]
    assert json.loads(events[3].payload) == {"comment": "已补填走访记录8份"}
    assert case.chain_head == events[-1].hash
    result = verify_all(session=session)
    assert result.ok and (result.checked, result.cases) == (5, 1)


def test_opening_a_case_is_the_first_event_and_records_the_finding(session, make):
    leader = make.user("leader", "township")
    case = make.case("village", by=leader, title="扶贫手册信息漏项", description="3户走访记录缺失",
                     village="青山村", severity="high", deadline="2026-11-30")
    assert (case.state, case.version, case.event_count) == ("found", 1, 1)
    assert case.deadline == date(2026, 11, 30)
    assert (case.workflow_key, case.workflow_version) == ("default", 1)
    [opened] = history(session, case)
    assert (opened.event, opened.from_state, opened.to_state, opened.actor_id) == ("open", None, "found", leader.id)
    payload = json.loads(opened.payload)
    assert payload["title"] == "扶贫手册信息漏项" and payload["deadline"] == "2026-11-30"
    assert payload["workflow"] == {"key": "default", "version": 1}


def test_case_numbers_count_up_within_a_campaign(make):
    numbers = [make.case("village").number for _ in range(3)]
    prefix = make.campaign().code
    assert numbers == [f"{prefix}-2026-0001", f"{prefix}-2026-0002", f"{prefix}-2026-0003"]


def test_a_unit_opening_its_own_case_is_self_inspection(make):
    clerk = make.user("unit", "village")
    assert make.case("village", by=clerk).self_inspection is True
    assert make.case("village").self_inspection is False  # opened by a township leader


@pytest.mark.parametrize(("role", "where"), [("auditor", "township"), ("admin", "township")])
def test_auditors_and_admins_do_not_open_cases(make, role, where):
    with pytest.raises(Forbidden) as refused:
        make.case("village", by=make.user(role, where))
    assert refused.value.code == "cannot_open_case"


def test_a_unit_outside_ones_scope_is_not_found_when_opening(make):
    with pytest.raises(NotFound) as refused:
        make.case("village2", by=make.user("leader", "village"))
    assert refused.value.code == "unit_not_found"


@pytest.mark.parametrize(("field", "value"), [
    ("title", "漏项\x00"), ("title", "漏项\ud800"), ("title", "x" * 301), ("title", "   "),
    ("description", "说明\x07"), ("village", "村" * 101), ("severity", "urgent"), ("deadline", "2026-11-31"),
    ("deadline", "30/11/2026"),
])
def test_bad_input_when_opening_is_refused_before_the_database_sees_it(session, make, field, value):
    with pytest.raises(Unprocessable) as refused:
        make.case("village", **{field: value})
    assert refused.value.code == "invalid_field"
    assert refused.value.details["field"] == field
    assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_text_is_stored_in_nfc(make):
    case = make.case("village", title="Cafe\u0301 整改")
    assert case.title == unicodedata.normalize("NFC", "Cafe\u0301 整改") == "Caf\u00e9 整改"


# --- what events change ---------------------------------------------------------------------
def test_extend_moves_the_deadline_and_keeps_the_state(session, make):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "rectifying")
    case = make.fire(case, "extend", driver.people[0], reason="需等待户主返乡签字", deadline="2026-12-15")
    assert (case.state, case.deadline) == ("rectifying", date(2026, 12, 15))
    assert json.loads(history(session, case)[-1].payload) == {"deadline": "2026-12-15", "reason": "需等待户主返乡签字"}


@pytest.mark.parametrize("deadline", ["2026-12-15", "2026-12-01"])
def test_an_extension_must_extend(session, make, deadline):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(deadline="2026-12-15"), "rectifying")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "extend", driver.people[0], reason="想提前", deadline=deadline)
    assert (refused.value.details["field"], refused.value.details["reason_code"]) == ("deadline", "extend_not_later")
    assert "须晚于现在的时限 2026-12-15" in refused.value.message("zh")
    unchanged(session, case, "rectifying", case.version)


def test_reassign_moves_the_case_to_another_unit_and_out_of_the_old_ones_sight(make):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "assigned")
    other_clerk = make.user("unit", "village2")
    case = make.fire(case, "reassign", driver.people[0], unit_id=make.unit("village2").id, assignee_id=other_clerk.id)
    assert (case.unit_id, case.assignee_id, case.state) == (make.unit("village2").id, other_clerk.id, "assigned")
    with pytest.raises(NotFound):
        make.fire(case, "start", driver.people[2])  # the old village's clerk
    assert make.fire(case, "start", other_clerk).state == "rectifying"


def test_reassign_without_an_assignee_clears_the_old_unit_s_assignee(make):
    driver = Driver(make, "village")
    clerk = make.user("unit", "village")
    case = make.fire(driver.open(), "assign", driver.people[0], assignee_id=clerk.id)
    case = make.fire(case, "reassign", driver.people[0], unit_id=make.unit("village2").id)
    assert (case.unit_id, case.assignee_id) == (make.unit("village2").id, None)


def test_reassign_to_a_unit_outside_ones_scope_is_refused(make):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "assigned")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "reassign", make.user("leader", "village"), unit_id=make.unit("village2").id)
    assert refused.value.details["field"] == "unit_id"


@pytest.mark.parametrize("unit_id", ["abc", 2**70, 0, 1.5])
def test_a_bad_unit_id_is_named_even_when_the_assignee_comes_first(make, unit_id):
    """Fields arrive in any order; the assignee is checked against the unit only once it is clean
    (a raw unit id used to reach the database: OverflowError on SQLite, DataError on PostgreSQL)."""
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "assigned")
    fields = {"assignee_id": driver.people[2].id, "unit_id": unit_id}
    with pytest.raises(Unprocessable) as refused:
        cases.fire(session=make.session, case_id=case.id, event="reassign", actor=driver.people[0],
                   version=case.version, fields=fields)
    assert refused.value.details["field"] == "unit_id"


def test_the_assignee_is_checked_against_the_new_unit(make):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "assigned")
    home_clerk = driver.people[2]
    fields = {"assignee_id": home_clerk.id, "unit_id": make.unit("village2").id}
    with pytest.raises(Unprocessable) as refused:
        cases.fire(session=make.session, case_id=case.id, event="reassign", actor=driver.people[0],
                   version=case.version, fields=fields)
    assert refused.value.details["field"] == "assignee_id"


def test_the_assignee_must_work_for_the_responsible_unit(make):
    case = make.case("village")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "assign", make.user("leader", "township"), assignee_id=make.user("unit", "village2").id)
    assert refused.value.details["field"] == "assignee_id"
    with pytest.raises(Unprocessable):
        make.fire(case, "assign", make.user("leader", "township"), assignee_id=make.user("auditor", "village").id)


def test_a_reopened_case_goes_round_again(make):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "verified")
    case = make.fire(case, "reopen", driver.people[0], reason="复查发现仍有漏项")
    assert case.state == "rectifying"
    case = driver.to_state(case, "verified")
    assert case.event_count == 8


def test_each_event_leaves_one_outbox_message_in_the_same_transaction(session, make):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "evidenced")
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                               .order_by(OutboxMessage.id)).all()
    assert [json.loads(m.payload)["event"] for m in messages] == ["open", "assign", "start", "submit"]
    assert all(m.topic == "case.event" and m.dispatched_at is None for m in messages)


# --- refusals, in the order they are checked ------------------------------------------------
def test_out_of_scope_is_not_found_whatever_else_is_wrong(make):
    case = make.case("village")
    stranger = make.user("unit", "village2")
    with pytest.raises(NotFound) as refused:
        cases.fire(session=make.session, case_id=case.id, event="no_such_event", actor=stranger,
                   version=99, fields={"salary": 1})
    assert refused.value.code == "case_not_found"


def test_a_case_that_does_not_exist_is_not_found(make):
    with pytest.raises(NotFound) as refused:
        cases.fire(session=make.session, case_id=987654, event="assign", actor=make.user("leader"), version=1)
    assert refused.value.code == "case_not_found"


def test_a_stale_version_comes_before_the_event_check(make):
    case = make.case("village")
    with pytest.raises(Conflict) as refused:
        cases.fire(session=make.session, case_id=case.id, event="verify", actor=make.user("unit", "village"),
                   version=case.version - 1)
    assert refused.value.code == "stale_version"
    assert refused.value.details == {"current": 1, "given": 0}


def test_a_version_seen_before_someone_else_changed_the_case_is_stale(session, make):
    leader = make.user("leader", "township")
    case = make.case("village", by=leader)
    seen = case.version
    make.fire(case, "note", leader, comment="已电话联系村支书")
    with pytest.raises(Conflict) as refused:
        cases.fire(session=session, case_id=case.id, event="assign", actor=leader, version=seen)
    assert refused.value.code == "stale_version"
    unchanged(session, case, "found", 2)


@pytest.mark.parametrize("version", ["1", True, None, 1.0])
def test_a_version_that_is_not_a_number_is_unprocessable(make, version):
    case = make.case("village")
    with pytest.raises(Unprocessable) as refused:
        cases.fire(session=make.session, case_id=case.id, event="assign", actor=make.user("leader"), version=version)
    assert refused.value.details["field"] == "version"


def test_an_event_not_allowed_now_comes_before_the_role_check(session, make):
    case = make.case("village")
    clerk = make.user("unit", "village")  # may not verify anyway
    with pytest.raises(Conflict) as refused:
        make.fire(case, "verify", clerk)
    assert refused.value.code == "event_not_allowed"
    assert refused.value.details["allowed"] == ["assign", "dismiss", "extend", "note"]
    assert "发现问题" in refused.value.message("zh") and "验收通过" in refused.value.message("zh")
    unchanged(session, case, "found", 1)


@pytest.mark.parametrize("event", ["no_such_event", "", "open", None, 7])
def test_an_unknown_event_is_not_allowed(make, event):
    case = make.case("village")
    with pytest.raises(Conflict) as refused:
        cases.fire(session=make.session, case_id=case.id, event=event, actor=make.user("leader"), version=1)
    assert refused.value.code == "event_not_allowed"


def test_the_role_check_comes_before_missing_fields(session, make):
    case = make.case("village")
    with pytest.raises(Forbidden) as refused:
        make.fire(case, "dismiss", make.user("unit", "village"))  # and no reason given
    assert refused.value.code == "role_not_allowed"
    unchanged(session, case, "found", 1)


@pytest.mark.parametrize(("event", "fields", "missing"), [
    ("dismiss", {}, "reason"),
    ("dismiss", {"reason": "   "}, "reason"),
    ("extend", {"reason": "户主外出"}, "deadline"),
    ("extend", {}, "reason, deadline"),
    ("note", {"comment": ""}, "comment"),
])
def test_missing_fields_are_named(session, make, event, fields, missing):
    case = make.case("village")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, event, make.user("leader", "township"), **fields)
    assert (refused.value.code, refused.value.details) == ("missing_fields", {"fields": missing})
    unchanged(session, case, "found", 1)


@pytest.mark.parametrize(("event", "fields", "field"), [
    ("assign", {"reason": "多余"}, "reason"),
    ("assign", {"salary": 3700}, "salary"),
    ("dismiss", {"reason": "不属实", "unit_id": 1}, "unit_id"),
])
def test_fields_an_event_does_not_take_are_refused(session, make, event, fields, field):
    case = make.case("village")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, event, make.user("leader", "township"), **fields)
    assert (refused.value.code, refused.value.details["field"]) == ("invalid_field", field)
    unchanged(session, case, "found", 1)


@pytest.mark.parametrize("comment", ["已核查\x00", "已核查\ud800", "已核查\x1b[31m", "核" * 2001, 42, ["x"]])
def test_bad_text_in_an_event_is_refused(session, make, comment):
    case = make.case("village")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "note", make.user("leader", "township"), comment=comment)
    assert (refused.value.code, refused.value.details["field"]) == ("invalid_field", "comment")
    unchanged(session, case, "found", 1)


def test_long_text_up_to_the_limit_and_newlines_are_kept(session, make):
    case = make.case("village")
    text = "第一行\n第二行\t" + "核" * 1990
    case = make.fire(case, "note", make.user("leader", "township"), comment=text)
    assert json.loads(history(session, case)[-1].payload)["comment"] == text


@pytest.mark.parametrize("deadline", ["2026-02-30", "tomorrow", "2026-1-5", 20261130])
def test_a_bad_deadline_is_refused(make, deadline):
    case = make.case("village")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "extend", make.user("leader", "township"), reason="户主外出", deadline=deadline)
    assert refused.value.details["field"] == "deadline"


def test_household_submit_needs_a_photo_and_a_signed_acknowledgement(session, make):
    driver = Driver(make, "assistance_officer")
    case = driver.to_state(driver.open(), "rectifying")
    officer = driver.people[2]
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "submit", officer)
    assert (refused.value.code, refused.value.details) == ("missing_evidence", {"kinds": "photo, signed_ack"})
    make.evidence(case, "photo", officer)
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "submit", officer)
    assert refused.value.details == {"kinds": "signed_ack"}
    unchanged(session, case, "rectifying", 3)
    make.evidence(case, "signed_ack", officer)
    assert make.fire(case, "submit", officer).state == "evidenced"


def test_evidence_of_another_case_does_not_count(make):
    driver = Driver(make, "assistance_officer")
    case = driver.to_state(driver.open(), "rectifying")
    other = driver.open()
    officer = driver.people[2]
    make.evidence(other, "photo", officer)
    make.evidence(other, "signed_ack", officer)
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "submit", officer)
    assert refused.value.code == "missing_evidence"


def test_unexpected_fields_are_reported_before_missing_evidence(make):
    driver = Driver(make, "assistance_officer")
    case = driver.to_state(driver.open(), "rectifying")
    with pytest.raises(Unprocessable) as refused:
        make.fire(case, "submit", driver.people[2], reason="多余")
    assert refused.value.code == "invalid_field"


def test_whoever_submitted_may_not_verify(session, make):
    both = make.user("leader", "village", ("unit", "village"))
    case = make.case("village", by=both)
    for event in ("assign", "start", "submit"):
        case = make.fire(case, event, both)
    assert "verify" not in cases.allowed_events(session=session, case=case, unit=make.unit("village"), actor=both)
    with pytest.raises(Forbidden) as refused:
        make.fire(case, "verify", both)
    assert refused.value.code == "separation_of_duties"
    unchanged(session, case, "evidenced", 4)
    # Sending it back is not verifying it; another leader may verify.
    assert "reject" in cases.allowed_events(session=session, case=case, unit=make.unit("village"), actor=both)
    assert make.fire(case, "verify", make.user("leader", "township")).state == "verified"


def test_separation_of_duties_comes_after_the_field_check(make):
    both = make.user("leader", "village", ("unit", "village"))
    case = make.case("village", by=both)
    for event in ("assign", "start", "submit"):
        case = make.fire(case, event, both)
    with pytest.raises(Unprocessable):
        make.fire(case, "verify", both, reason="多余")


def test_the_village_check_of_a_work_team_case_is_not_by_its_submitter(make):
    both = make.user("leader", "village", ("unit", "work_team"))
    driver = Driver(make, "work_team")
    case = driver.to_state(driver.open(), "rectifying")
    make.evidence(case, "photo", both)
    case = make.fire(case, "submit", both)
    with pytest.raises(Forbidden) as refused:
        make.fire(case, "village_verify", both)
    assert refused.value.code == "separation_of_duties"
    case = make.fire(case, "village_verify", driver.people[1])
    assert make.fire(case, "verify", driver.people[0]).state == "verified"


def test_a_refused_event_leaves_the_chain_intact(session, make):
    driver = Driver(make, "village")
    case = driver.to_state(driver.open(), "evidenced")
    for event, actor, fields in [("verify", driver.people[2], {}), ("reject", driver.people[0], {}),
                                 ("start", driver.people[2], {}), ("note", driver.people[0], {"comment": "\x00"})]:
        with pytest.raises((Forbidden, Unprocessable, Conflict)):
            make.fire(case, event, actor, **fields)
    assert verify_case(session=session, case=case) is None
    assert verify_all(session=session).ok


def test_whoever_submitted_before_a_rejection_may_not_verify_the_resubmission(make):
    both = make.user("leader", "village", ("unit", "village"))
    clerk = make.user("unit", "village")
    case = make.case("village", by=both)
    for event in ("assign", "start", "submit"):
        case = make.fire(case, event, both)
    case = make.fire(case, "reject", make.user("leader", "township"), reason="照片不清晰")
    case = make.fire(case, "submit", clerk)
    with pytest.raises(Forbidden) as refused:
        make.fire(case, "verify", both)
    assert refused.value.code == "separation_of_duties"
