"""The whole record, against someone with write access to the database: the case row replayed from
its events, checkpoints signed with a key outside the database, the admin log chained."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from casework.audit import checkpoints
from casework.audit.verify import verify_all
from casework.trail.chain import event_hash
from casework.trail.models import CaseEvent

from tests.drive import Driver
from tests.factories import Factory


def tamper(runtime, *statements: str, **params) -> None:
    with runtime.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def a_case(runtime) -> tuple[int, str, dict]:
    """A committed case taken to `evidenced`, with an assignee and a deadline; its id, number, people."""
    with runtime.transaction() as session:
        make = Factory(session)
        driver = Driver(make, "village")
        case = driver.open(deadline="2026-12-20")
        case = driver.to_state(case, "evidenced")
        other = make.user("unit", "village")
        return case.id, case.number, {"other": other.id, "village2": make.unit("village2").id}


def verify(runtime, **kwargs):
    with runtime.snapshot() as session:
        return verify_all(session=session, key_path=runtime.settings.checkpoint_key_path, **kwargs)


def checkpoint(runtime):
    with runtime.transaction() as session:
        return checkpoints.make(session=session, key_path=runtime.settings.checkpoint_key_path)


# --- the row is a projection of its events --------------------------------------------------------
@pytest.mark.parametrize(("field", "value"), [
    ("unit_id", ":village2"), ("assignee_id", ":other"), ("title", "'改过的标题'"), ("deadline", "'2027-01-31'"),
    ("state", "'verified'"), ("version", "version + 1"), ("escalation_level", "3"), ("closed_at", "updated_at"),
])
def test_each_field_of_the_row_edited_directly_is_named(runtime, field, value):
    case_id, number, people = a_case(runtime)
    assert verify(runtime).ok
    tamper(runtime, f"UPDATE cases SET {field} = {value} WHERE id = :c", c=case_id, **people)
    result = verify(runtime)
    bad = result.first_bad
    assert (result.ok, bad.case_id, bad.number, bad.code, bad.field) == (False, case_id, number, "row_field_mismatch",
                                                                         field)
    assert bad.expected != bad.found


# --- checkpoints ------------------------------------------------------------------------------------
def test_a_checkpoint_records_only_what_changed_since_the_last_one(runtime):
    first, _number, _people = a_case(runtime)
    made = checkpoint(runtime)
    assert made.checkpoint.seq == 1 and made.checkpoint.entry_count == 1 and not made.findings
    assert checkpoint(runtime).checkpoint is None  # nothing changed since
    second, _number, _people = a_case(runtime)
    made = checkpoint(runtime)
    assert (made.checkpoint.seq, made.checkpoint.entry_count) == (2, 1)  # the new case only
    assert verify(runtime).ok


def test_the_last_events_deleted_and_the_row_rolled_back_after_a_checkpoint_are_caught(runtime):
    case_id, number, _people = a_case(runtime)
    checkpoint(runtime)
    with runtime.sessions() as session:
        before = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq == 3)).one()
        head3 = before.hash
    # Delete the submit and roll the row back to just before it: every hash and field agrees.
    tamper(runtime, "DELETE FROM case_events WHERE case_id = :c AND seq = 4",
           "UPDATE cases SET event_count = 3, chain_head = :h, state = 'rectifying', version = 3, "
           "state_since = (SELECT at FROM case_events WHERE case_id = :c AND seq = 3), clock_seq = 3, "
           "updated_at = (SELECT at FROM case_events WHERE case_id = :c AND seq = 3) WHERE id = :c",
           c=case_id, h=head3)
    bad = verify(runtime).first_bad
    assert (bad.case_id, bad.code, bad.expected, bad.found) == (case_id, "checkpoint_shortened", "4", "3")


def test_a_chain_rewritten_with_recomputed_hashes_after_a_checkpoint_is_caught(runtime):
    case_id, _number, _people = a_case(runtime)
    checkpoint(runtime)
    with runtime.engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM case_events WHERE case_id = :c ORDER BY seq"), {"c": case_id}).all()
        prev = rows[0].prev_hash
        for row in rows:
            import json
            from datetime import datetime, timezone

            payload = json.loads(row.payload)
            if row.seq == 4:
                payload = {"comment": "已全部整改到位"}  # the forger's new words
            at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at)
            at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
            digest = event_hash(case_id=case_id, seq=row.seq, event=row.event, from_state=row.from_state,
                                to_state=row.to_state, actor_id=row.actor_id, at=at, payload=payload, prev_hash=prev)
            conn.execute(text("UPDATE case_events SET payload = :p, prev_hash = :prev, hash = :h WHERE id = :id"),
                         {"p": json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                          "prev": prev, "h": digest, "id": row.id})
            prev = digest
        conn.execute(text("UPDATE cases SET chain_head = :h WHERE id = :c"), {"h": prev, "c": case_id})
    bad = verify(runtime).first_bad
    assert (bad.case_id, bad.code, bad.seq) == (case_id, "checkpoint_rewritten", 4)


def test_a_forged_checkpoint_signature_is_caught(runtime):
    a_case(runtime)
    checkpoint(runtime)
    tamper(runtime, "UPDATE checkpoints SET signature = :s WHERE seq = 1", s="ab" * 64)
    assert {f.code for f in verify(runtime).findings} == {"checkpoint_signature_bad"}


def test_a_checkpoint_altered_and_re_signed_with_another_key_is_caught(runtime, tmp_path):
    a_case(runtime)
    checkpoint(runtime)
    with runtime.sessions() as session:
        other_key = tmp_path / "someone-elses.pem"
        from casework.audit import signing

        key = signing.load_key(other_key, create=True)
        cp = session.scalars(select(checkpoints.Checkpoint)).one()
        signature = signing.sign(key, cp.hash)
    tamper(runtime, "UPDATE checkpoints SET signature = :s WHERE seq = 1", s=signature)
    assert "checkpoint_signature_bad" in {f.code for f in verify(runtime).findings}


@pytest.mark.parametrize("which", ["middle", "last"])
def test_a_deleted_checkpoint_is_caught(runtime, which):
    for _ in range(3):
        a_case(runtime)
        checkpoint(runtime)
    seq = 2 if which == "middle" else 3
    tamper(runtime, "DELETE FROM checkpoint_entries WHERE checkpoint_seq = :s",
           "DELETE FROM checkpoints WHERE seq = :s", s=seq)
    codes = {f.code for f in verify(runtime).findings}
    assert ("checkpoint_link_broken" if which == "middle" else "checkpoint_missing") in codes
    assert "checkpoint_entry_missing" in codes  # the case it recorded says a checkpoint took it in


def test_a_case_deleted_after_a_checkpoint_is_caught(runtime):
    case_id, _number, _people = a_case(runtime)
    checkpoint(runtime)
    tamper(runtime, "DELETE FROM outbox WHERE case_id = :c", "DELETE FROM case_events WHERE case_id = :c",
           "DELETE FROM cases WHERE id = :c", c=case_id)
    findings = verify(runtime).findings
    assert [(f.code, f.case_id) for f in findings] == [("checkpoint_case_deleted", case_id)]


def test_a_checkpoint_refuses_a_case_that_no_longer_extends_its_last_head(runtime):
    case_id, _number, _people = a_case(runtime)
    checkpoint(runtime)
    tamper(runtime, "UPDATE case_events SET hash = :h WHERE case_id = :c AND seq = 4",
           "UPDATE cases SET event_count = event_count + 0, checkpointed_count = 0 WHERE id = :c",
           h="f" * 64, c=case_id)
    made = checkpoint(runtime)
    assert [(f.code, f.case_id) for f in made.findings] == [("checkpoint_rewritten", case_id)]


# --- the admin log ----------------------------------------------------------------------------------
def test_an_edited_admin_log_entry_is_caught(runtime):
    a_case(runtime)  # creates units and users: the admin log has entries
    assert verify(runtime).ok
    tamper(runtime, "UPDATE admin_log SET payload = :p WHERE seq = 3", p='{"role":"admin"}')
    bad = verify(runtime).first_bad
    assert (bad.code, bad.seq, bad.record) == ("admin_log_hash_mismatch", 3, "admin log")


def test_the_last_admin_log_entries_deleted_are_caught_by_the_head(runtime):
    a_case(runtime)
    tamper(runtime, "DELETE FROM admin_log WHERE seq = (SELECT MAX(seq) FROM admin_log)")
    assert verify(runtime).first_bad.code == "admin_log_head_mismatch"


def test_checkpoints_record_the_admin_log_head(runtime):
    a_case(runtime)
    made = checkpoint(runtime).checkpoint
    with runtime.sessions() as session:
        from casework.trail import heads

        assert (made.admin_seq, made.admin_head) == heads.read(session=session, name=heads.ADMIN_LOG)
