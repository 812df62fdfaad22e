"""The tamper-evident record: every change to a case is chained by hash, and verify names the
first event that no longer matches, whatever someone did to the rows behind the service's back."""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from casework.trail.chain import GENESIS, canonical_time, dumps, event_hash, event_text, normalise
from casework.audit.verify import verify_all

from tests.drive import Driver
from tests.factories import Factory


# --- the canonical form ---------------------------------------------------------------------
AT = datetime(2026, 11, 30, 8, 15, 30, 123456, tzinfo=timezone.utc)
EVENT = dict(case_id=7, seq=2, event="assign", from_state="found", to_state="assigned", actor_id=3, at=AT,
             payload={"assignee_id": 5, "deadline": "2026-11-30"}, prev_hash=GENESIS)


def test_the_hash_of_an_event_is_stable_across_releases():
    # If either changes, every chain stored so far stops verifying.
    canonical = (
        '{"actor_id":3,"at":"2026-11-30T08:15:30.123456Z","case_id":7,"event":"assign","from_state":"found",'
        '"payload":{"assignee_id":5,"deadline":"2026-11-30"},"prev_hash":"' + "0" * 64 + '","seq":2,'
        '"to_state":"assigned"}'
    )
    assert dumps(EVENT) == canonical
    assert event_hash(**EVENT) == hashlib.sha256(canonical.encode()).hexdigest() == (
        "c67ac98934fff9c78a93411c847290b79686500a4a3375ba889e4d3a8012bf75")


def test_a_naive_time_is_utc_and_an_aware_time_counts_by_its_instant():
    naive = AT.replace(tzinfo=None)
    shanghai = AT.astimezone(timezone(timedelta(hours=8)))
    assert event_hash(**{**EVENT, "at": naive}) == event_hash(**EVENT) == event_hash(**{**EVENT, "at": shanghai})
    assert canonical_time(shanghai) == "2026-11-30T08:15:30.123456Z"
    assert canonical_time(AT.replace(microsecond=0)) == "2026-11-30T08:15:30.000000Z"


def test_text_is_hashed_in_nfc_and_key_order_does_not_matter():
    composed = {**EVENT, "payload": {"reason": "Caf\u00e9", "b": 1, "a": 2}}
    decomposed = {**EVENT, "payload": {"a": 2, "reason": "Cafe\u0301", "b": 1}}
    assert event_hash(**composed) == event_hash(**decomposed)


@pytest.mark.parametrize("change", [{"seq": 3}, {"actor_id": 4}, {"to_state": "dismissed"},
                                    {"prev_hash": "1" * 64}, {"at": AT + timedelta(microseconds=1)},
                                    {"payload": {"assignee_id": 6, "deadline": "2026-11-30"}}])
def test_any_change_to_an_event_changes_its_hash(change):
    assert event_hash(**{**EVENT, **change}) != event_hash(**EVENT)


def test_not_a_number_cannot_enter_the_record():
    with pytest.raises(ValueError):
        dumps({"amount": math.nan})


# --- verifying stored chains, on both backends ----------------------------------------------
def committed_cases(runtime) -> tuple[int, int, str]:
    """Commit an untouched case and a second one with five events; their ids and its number."""
    with runtime.transaction() as session:
        make = Factory(session)
        driver = Driver(make, "village")
        intact = driver.to_state(driver.open(), "rectifying")
        case = driver.open()
        case = driver.fire(case, "assign")
        case = driver.fire(case, "start")
        case = driver.fire(case, "note", comment="已入户核查5户")
        case = driver.fire(case, "submit")
        assert (case.event_count, intact.event_count) == (5, 3)
        return intact.id, case.id, case.number


def tamper(runtime, *statements: str, **params) -> None:
    """Change rows directly, as someone with database access would, bypassing the service."""
    with runtime.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def verify(runtime):
    with runtime.transaction() as session:
        return verify_all(session=session)


def test_an_untouched_record_verifies(runtime):
    committed_cases(runtime)
    result = verify(runtime)
    assert (result.ok, result.checked, result.cases, result.first_bad) == (True, 8, 2, None)


def test_a_changed_payload_is_named_by_its_seq(runtime):
    intact, case_id, number = committed_cases(runtime)
    tamper(runtime, "UPDATE case_events SET payload = :p WHERE case_id = :c AND seq = 4",
           p='{"comment":"已入户核查50户"}', c=case_id)
    result = verify(runtime)
    assert result.ok is False
    assert (result.first_bad.case_id, result.first_bad.number, result.first_bad.seq) == (case_id, number, 4)
    assert result.first_bad.code == "chain_hash_mismatch"
    assert result.first_bad.message("en") == "event 4 was changed: its recomputed hash differs from the stored one"


def test_a_payload_stored_out_of_canonical_form_but_with_the_same_content_still_verifies(runtime):
    # The quick check puts an event together from its stored text; text re-spaced or with its keys
    # reordered fails that check, and the slow one, over the content, decides (as it always has).
    _intact, case_id, _number = committed_cases(runtime)
    tamper(runtime, "UPDATE case_events SET payload = :p WHERE case_id = :c AND seq = 4",
           p='{ "comment" : "\\u5df2入户核查5户" }', c=case_id)
    assert verify(runtime).ok is True


@pytest.mark.parametrize(("column", "value"), [
    ("actor_id", "(SELECT actor_id FROM case_events WHERE case_id = :c AND seq = 3)"),  # the clerk, not the leader
    ("to_state", "'verified'"), ("event", "'verify'"), ("from_state", "NULL")])
def test_a_changed_column_is_named_by_its_seq(runtime, column, value):
    _intact, case_id, _number = committed_cases(runtime)
    tamper(runtime, f"UPDATE case_events SET {column} = {value} WHERE case_id = :c AND seq = 2", c=case_id)
    result = verify(runtime)
    assert (result.ok, result.first_bad.case_id, result.first_bad.seq) == (False, case_id, 2)


def test_a_forged_event_with_a_recomputed_hash_breaks_the_link_to_the_next(runtime):
    _intact, case_id, _number = committed_cases(runtime)
    with runtime.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM case_events WHERE case_id = :c AND seq = 4"), {"c": case_id}).one()
        payload = {"comment": "已入户核查50户"}
        at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at)
        forged = event_hash(case_id=case_id, seq=4, event=row.event, from_state=row.from_state,
                            to_state=row.to_state, actor_id=row.actor_id, at=at, payload=payload,
                            prev_hash=row.prev_hash)
        conn.execute(text("UPDATE case_events SET payload = :p, hash = :h WHERE id = :id"),
                     {"p": json.dumps(payload, ensure_ascii=False), "h": forged, "id": row.id})
    result = verify(runtime)
    assert (result.ok, result.first_bad.case_id, result.first_bad.seq) == (False, case_id, 5)
    assert result.first_bad.message("en") == "event 5 does not follow the event before it (removed or reordered)"


def test_a_deleted_middle_event_is_named(runtime):
    _intact, case_id, _number = committed_cases(runtime)
    tamper(runtime, "DELETE FROM case_events WHERE case_id = :c AND seq = 3", c=case_id)
    result = verify(runtime)
    assert (result.ok, result.first_bad.case_id, result.first_bad.seq) == (False, case_id, 3)
    assert result.first_bad.message("en") == "event 3 is missing"


def test_a_deleted_last_event_is_caught_by_the_count_on_the_case(runtime):
    _intact, case_id, _number = committed_cases(runtime)
    tamper(runtime, "DELETE FROM case_events WHERE case_id = :c AND seq = 5", c=case_id)
    result = verify(runtime)
    assert (result.ok, result.first_bad.case_id, result.first_bad.seq) == (False, case_id, 5)
    assert result.first_bad.message("en") == "the case records 5 events but 4 are stored"


def test_deleting_the_last_events_and_the_count_is_caught_by_the_chain_head(runtime):
    _intact, case_id, _number = committed_cases(runtime)
    tamper(runtime, "DELETE FROM case_events WHERE case_id = :c AND seq >= 4",
           "UPDATE cases SET event_count = 3, state = 'rectifying', version = 3 WHERE id = :c", c=case_id)
    result = verify(runtime)
    assert (result.ok, result.first_bad.case_id, result.first_bad.seq) == (False, case_id, 3)
    assert result.first_bad.code == "chain_head_mismatch"


def test_swapped_events_are_named_at_the_first_out_of_place(runtime):
    _intact, case_id, _number = committed_cases(runtime)
    # Through a spare number: the (case_id, seq) key is unique.
    tamper(runtime, "UPDATE case_events SET seq = 99 WHERE case_id = :c AND seq = 2",
           "UPDATE case_events SET seq = 2 WHERE case_id = :c AND seq = 3",
           "UPDATE case_events SET seq = 3 WHERE case_id = :c AND seq = 99", c=case_id)
    result = verify(runtime)
    assert (result.ok, result.first_bad.case_id, result.first_bad.seq) == (False, case_id, 2)


def test_a_state_changed_on_the_case_row_is_caught(runtime):
    _intact, case_id, _number = committed_cases(runtime)
    tamper(runtime, "UPDATE cases SET state = 'verified' WHERE id = :c", c=case_id)
    result = verify(runtime)
    bad = result.first_bad
    assert (result.ok, bad.case_id, bad.field, bad.expected, bad.found) == (False, case_id, "state", "evidenced", "verified")
    assert bad.message("en") == "the case's state is verified but its events say evidenced"


def test_the_first_bad_case_is_named_when_several_are_tampered(runtime):
    intact, case_id, _number = committed_cases(runtime)
    tamper(runtime, "UPDATE case_events SET payload = '{}' WHERE case_id = :c AND seq = 4", c=case_id)
    tamper(runtime, "DELETE FROM case_events WHERE case_id = :c AND seq = 3", c=intact)
    result = verify(runtime)
    assert (result.first_bad.case_id, result.first_bad.seq) == (intact, 3)


def test_verify_reads_the_cases_in_batches(runtime):
    with runtime.transaction() as session:
        make = Factory(session)
        leader = make.user("leader", "township")
        ids = [make.case("village", by=leader).id for _ in range(5)]
    tamper(runtime, "UPDATE case_events SET payload = '{}' WHERE case_id = :c", c=ids[-1])
    with runtime.transaction() as session:
        result = verify_all(session=session, batch=2)
    assert (result.ok, result.cases, result.checked, result.first_bad.case_id) == (False, 5, 5, ids[-1])


def test_a_scoped_verify_checks_only_the_cases_one_may_see(runtime):
    with runtime.transaction() as session:
        make = Factory(session)
        make.case("village")
        make.case("village2")
        make.case("village2")
        clerk_id = make.user("unit", "village").id
    with runtime.transaction() as session:
        from casework.users.models import User

        result = verify_all(session=session, user=session.get(User, clerk_id))
    assert (result.ok, result.cases, result.checked) == (True, 1, 1)


# --- the fast canonical form is the canonical form ---------------------------------------------
_texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["e\u0301", "\u00e9", "\u212b", "a\u0328\u0301", "\u1100\u1161", "第1镇", '"\\', "\n\u0301"])
_times = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31),
                      timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8)), None]))
_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                       | _texts | _times | st.dates(),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_texts, inner, max_size=4),
                       max_leaves=12)


def _reference(value) -> str:
    """The canonical form by its definition: normalise everything, then JSON with sorted keys."""
    return json.dumps(normalise(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_dumps_is_the_canonical_form_by_definition(value):
    assert dumps(value) == _reference(value)


@settings(max_examples=300, deadline=None)
@given(event=_texts, from_state=st.none() | _texts, to_state=_texts, prev=_texts, payload=st.dictionaries(_texts, _values,
       max_size=4), at=_times, numbers=st.tuples(st.integers(), st.integers(), st.integers()))
def test_an_event_put_together_from_its_stored_payload_hashes_as_the_event(event, from_state, to_state, prev, payload,
                                                                           at, numbers):
    case_id, seq, actor_id = numbers
    body = dict(case_id=case_id, seq=seq, event=event, from_state=from_state, to_state=to_state, actor_id=actor_id,
                at=at, payload=payload, prev_hash=prev)
    text = event_text(**{k: v for k, v in body.items() if k != "payload"}, payload_text=dumps(payload))
    if text is not None:  # None: a part not in canonical form, left to the slow way
        assert text == _reference(body)
    else:
        assert any(isinstance(s, str) and not unicodedata.is_normalized("NFC", s)
                   for s in (event, from_state, to_state, prev))
