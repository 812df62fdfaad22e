"""Idempotency-Key on POST: a retried request gets the first answer and causes nothing twice."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from casework.cases.models import Case

from tests.web.helpers import assert_error


def _case_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Case))


def _body(town, title="村道路灯损坏"):
    return {"campaign_id": town.campaign_id, "unit_id": town.unit("village"), "title": title}


def test_the_same_key_and_body_gets_the_same_answer_and_opens_one_case(runtime, town, as_):
    leader = as_("leader")
    first = leader.post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "open-1"})
    again = leader.post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "open-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert [c["id"] for c in leader.get("/api/v1/cases").get_json()["items"]] == [first.get_json()["id"]]
    assert _case_count(runtime) == 1


def test_the_same_body_written_differently_is_the_same_request(runtime, town, as_, client, login):
    first = as_("leader").post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "k"})
    reordered = json.dumps(dict(reversed(list(_body(town).items()))), indent=2)
    again = client.post("/api/v1/cases", data=reordered, content_type="application/json",
                        headers={**login("leader"), "Idempotency-Key": "k"})
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert _case_count(runtime) == 1


def test_the_same_key_with_another_body_is_refused(runtime, town, as_):
    leader = as_("leader")
    assert leader.post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "k"}).status_code == 201
    response = leader.post("/api/v1/cases", _body(town, "另一个问题"), headers={"Idempotency-Key": "k"})
    assert_error(response, 422, "idempotency_mismatch")
    assert _case_count(runtime) == 1


def test_keys_belong_to_their_user(runtime, town, as_):
    mine = as_("leader").post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "shared"})
    theirs = as_("village_leader").post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "shared"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert _case_count(runtime) == 2


def test_keys_belong_to_their_path(town, as_):
    leader = as_("leader")
    case = leader.post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "same"}).get_json()
    response = leader.post(f"/api/v1/cases/{case['id']}/events",
                           {"event": "note", "version": 1, "comment": "已核实"}, headers={"Idempotency-Key": "same"})
    assert response.status_code == 200 and response.get_json()["version"] == 2


def test_a_failed_request_does_not_use_up_its_key(runtime, town, as_):
    leader = as_("leader")
    invalid = leader.post("/api/v1/cases", {**_body(town), "title": ""}, headers={"Idempotency-Key": "retry"})
    assert_error(invalid, 422, "validation_failed")
    unknown_unit = leader.post("/api/v1/cases", {**_body(town), "unit_id": 999999},
                               headers={"Idempotency-Key": "retry"})
    assert_error(unknown_unit, 404, "unit_not_found")
    corrected = leader.post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "retry"})
    assert corrected.status_code == 201
    assert _case_count(runtime) == 1


def test_a_retried_event_is_fired_once(town, as_):
    leader = as_("leader")
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    body = {"event": "assign", "version": 1, "assignee_id": town.user("clerk")}
    first = leader.post(f"/api/v1/cases/{case['id']}/events", body, headers={"Idempotency-Key": "assign-1"})
    again = leader.post(f"/api/v1/cases/{case['id']}/events", body, headers={"Idempotency-Key": "assign-1"})
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    after = leader.case(case["id"])
    assert (after["state"], after["version"], after["event_count"]) == ("assigned", 2, 2)
    # without the key the same request is a stale version, as it should be
    assert_error(leader.post(f"/api/v1/cases/{case['id']}/events", body), 409, "stale_version")


def test_an_over_long_key_is_refused(town, as_):
    response = as_("leader").post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "k" * 201})
    assert_error(response, 422, "invalid_field")


def test_a_key_with_control_or_non_ascii_characters_is_refused(runtime, town, as_):
    for key in ("a\x00b", "tab\there", "\x7f", "键".encode().decode("latin-1")):
        response = as_("leader").post("/api/v1/cases", _body(town), headers={"Idempotency-Key": key})
        assert_error(response, 422, "invalid_field")
    assert _case_count(runtime) == 0
    assert as_("leader").post("/api/v1/cases", _body(town), headers={"Idempotency-Key": "order 42/retry-1"}
                              ).status_code == 201
