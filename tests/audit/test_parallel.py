"""Verifying on every core finds what one process finds, reading the same moment of the database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from casework.audit import parallel
from casework.audit.verify import verify_all

from tests.audit.test_record import a_case, tamper

POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def _both(runtime):
    with runtime.snapshot() as session:
        alone = verify_all(session=session, key_path=runtime.settings.checkpoint_key_path)
    with runtime.snapshot() as session:
        shared = parallel.verify_all_parallel(session=session, url=runtime.settings.database_url, processes=2,
                                              key_path=runtime.settings.checkpoint_key_path)
    return alone, shared


@POSTGRES
def test_two_processes_find_what_one_finds_in_the_same_order(runtime, monkeypatch):
    monkeypatch.setattr(parallel, "SLICE", 2)  # several slices, finished in any order
    made = [a_case(runtime) for _ in range(7)]
    alone, shared = _both(runtime)
    assert (alone.ok, shared.ok, shared.cases, shared.checked) == (True, True, alone.cases, alone.checked)

    (first, _n1, people), (fifth, _n5, _p5) = made[1], made[5]
    tamper(runtime, "UPDATE cases SET assignee_id = :other WHERE id = :c", c=fifth, **people)
    tamper(runtime, "UPDATE case_events SET payload = '{\"comment\":\"改过\"}' WHERE case_id = :c AND seq = 2", c=first)
    alone, shared = _both(runtime)
    assert not shared.ok and [f.code for f in shared.findings] == ["chain_hash_mismatch", "row_field_mismatch"]
    assert shared.findings == alone.findings and (shared.cases, shared.checked) == (alone.cases, alone.checked)


@POSTGRES
def test_the_processes_read_the_moment_the_command_began(runtime, monkeypatch):
    monkeypatch.setattr(parallel, "SLICE", 1)
    case_id, number, people = a_case(runtime)
    a_case(runtime)
    with runtime.snapshot() as session:
        # A change committed after the command took its snapshot is not seen by any of its processes.
        done = threading.Event()

        def later():
            tamper(runtime, "UPDATE cases SET assignee_id = :other WHERE id = :c", c=case_id, **people)
            done.set()

        session.execute(text("SELECT 1"))
        threading.Thread(target=later).start()
        assert done.wait(10)
        result = parallel.verify_all_parallel(session=session, url=runtime.settings.database_url, processes=2)
    assert result.ok and result.cases == 2
    with runtime.snapshot() as session:
        assert verify_all(session=session).first_bad.number == number
