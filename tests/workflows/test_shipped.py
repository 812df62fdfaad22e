"""Every event of every shipped workflow, fired in every state: legal ones land where the file
says, the others are refused with event_not_allowed. The table is read from workflows/*.yaml, so
a new state or event is covered the day it is added."""

from __future__ import annotations

import pytest

from casework.errors import Conflict
from casework.workflows.machine import allowed_events

from tests.drive import Driver, path_to, shipped, unit_for

WORKFLOWS = shipped()
STATES = [pytest.param(key, state, id=f"{key}-{state}")
          for key, definition in WORKFLOWS.items() for state in definition.states]


@pytest.mark.parametrize(("key", "state"), STATES)
def test_every_event_in_every_state(make, subtests, key, state):
    """The case is driven to `state` once; each event is then fired inside a savepoint that is
    rolled back, so every event meets the case exactly as it was."""
    definition = WORKFLOWS[key]
    driver = Driver(make, unit_for(definition))
    case = driver.to_state(driver.open(), state)
    assert (case.workflow_key, case.state) == (key, state)
    before = (case.version, case.event_count)
    for event, spec in definition.events.items():
        with subtests.test(event=event), make.session.begin_nested() as savepoint:
            if state in spec.sources:
                after = driver.fire(case, event)
                assert after.state == (spec.target or state)
                assert (after.version, after.event_count) == (before[0] + 1, before[1] + 1)
            else:
                with pytest.raises(Conflict) as refused:
                    driver.fire(case, event)
                assert refused.value.code == "event_not_allowed"
                assert refused.value.details["state"] == state
            savepoint.rollback()
        make.session.refresh(case)
        assert (case.state, case.version, case.event_count) == (state, *before)


@pytest.mark.parametrize("key", WORKFLOWS)
def test_the_machine_allows_exactly_the_events_the_file_declares(key):
    definition = WORKFLOWS[key]
    for state in definition.states:
        assert sorted(allowed_events(definition, state)) == sorted(e.key for e in definition.events_from(state))


@pytest.mark.parametrize("key", WORKFLOWS)
def test_every_shipped_workflow_reaches_verified_and_dismissed(key):
    definition = WORKFLOWS[key]
    assert path_to(definition, "verified")[-1] == "verify"
    assert path_to(definition, "dismissed") == ["dismiss"]


@pytest.mark.parametrize(("where", "key"), [("township", "default"), ("office", "default"), ("village", "default"),
                                             ("work_team", "work_team"), ("assistance_officer", "household")])
def test_a_new_case_gets_the_workflow_of_its_units_kind(make, where, key):
    case = make.case(where)
    assert (case.workflow_key, case.workflow_version, case.state) == (key, 1, "found")
