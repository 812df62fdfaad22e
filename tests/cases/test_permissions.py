"""Who may fire which event, as matrices: each person against each event of a workflow.

Out of scope is "not found" (the case does not exist for them), never "forbidden"; a role the
workflow does not name is "forbidden". Events are fired from a state where they are legal, so
the only thing deciding the outcome is the person.
"""

from __future__ import annotations

import pytest

from casework.cases import service as cases
from casework.errors import Forbidden, NotFound

from tests.drive import Driver, shipped

OK, FORBIDDEN, NOT_FOUND = "ok", "forbidden", "not found"
WORKFLOWS = shipped()

# The people, as (role, unit) in the factory's township: T → villages T-V1, T-V2; work team T-V1-T.
PEOPLE = {
    "leader@township": ("leader", "township"),
    "leader@village": ("leader", "village"),
    "unit@village": ("unit", "village"),
    "unit@work_team": ("unit", "work_team"),
    "auditor@township": ("auditor", "township"),
    "admin@township": ("admin", "township"),
    "unit@sibling_village": ("unit", "village2"),
}

# A case of village T-V1 on the default workflow.
DEFAULT_GROUPS = {
    "leader": ["assign", "verify", "reject", "reopen", "dismiss", "extend", "reassign"],
    "unit": ["start", "submit"],
    "both": ["note"],
}
DEFAULT_EXPECT = {
    #                        leader     unit       both
    "leader@township":      (OK,        FORBIDDEN, OK),
    "leader@village":       (OK,        FORBIDDEN, OK),
    "unit@village":         (FORBIDDEN, OK,        OK),
    "unit@work_team":       (NOT_FOUND, NOT_FOUND, NOT_FOUND),  # sees only below its team
    "auditor@township":     (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin@township":       (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "unit@sibling_village": (NOT_FOUND, NOT_FOUND, NOT_FOUND),
}

# A case of work team T-V1-T: the village leader checks first, a township leader signs off.
WORK_TEAM_GROUPS = {
    "leader": ["assign", "dismiss", "extend", "reassign"],
    "leader@village": ["village_verify", "village_reject"],
    "leader@township": ["verify", "reject", "reopen"],
    "unit": ["start", "submit"],
    "both": ["note"],
}
WORK_TEAM_EXPECT = {
    #                        leader     l@village  l@township unit       both
    "leader@township":      (OK,        FORBIDDEN, OK,        FORBIDDEN, OK),
    "leader@village":       (OK,        OK,        FORBIDDEN, FORBIDDEN, OK),
    "unit@village":         (FORBIDDEN,) * 5,  # sees the team's cases, does not work them
    "unit@work_team":       (FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,        OK),
    "auditor@township":     (FORBIDDEN,) * 5,
    "admin@township":       (FORBIDDEN,) * 5,
    "unit@sibling_village": (NOT_FOUND,) * 5,
}

MATRICES = {"default": ("village", DEFAULT_GROUPS, DEFAULT_EXPECT),
            "work_team": ("work_team", WORK_TEAM_GROUPS, WORK_TEAM_EXPECT)}


def _expected(key: str, person: str) -> dict[str, str]:
    _where, groups, expect = MATRICES[key]
    return {event: outcome for outcome, events in zip(expect[person], groups.values(), strict=True)
            for event in events}


@pytest.mark.parametrize("key", MATRICES)
def test_the_matrix_covers_every_event_of_the_workflow(key):
    _where, groups, _expect = MATRICES[key]
    assert sorted(e for events in groups.values() for e in events) == sorted(WORKFLOWS[key].events)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("key", MATRICES)
def test_who_may_fire_what(make, subtests, key, person):
    """The case is driven from state to state; in each, the person fires every event that
    leaves it, inside a savepoint rolled back afterwards."""
    where = MATRICES[key][0]
    definition = WORKFLOWS[key]
    driver = Driver(make, where)
    actor = make.user(*PEOPLE[person])
    case = driver.open()
    for state in definition.states:
        events = [e for e in definition.events.values() if e.sources[0] == state]
        if not events:
            continue
        case = driver.to_state(case, state)
        for spec in events:
            outcome = _expected(key, person)[spec.key]
            with subtests.test(event=spec.key, outcome=outcome), make.session.begin_nested() as savepoint:
                _check(make, driver, case, spec, actor, outcome)
                savepoint.rollback()
            make.session.refresh(case)
            assert case.state == state


def _check(make, driver, case, spec, actor, outcome) -> None:
    unit = make.unit(driver.where)
    before = (case.state, case.version)
    fields = driver.prepare(case, spec.key, driver.people[2])
    if outcome == OK:
        assert spec.key in cases.allowed_events(session=make.session, case=case, unit=unit, actor=actor)
        after = make.fire(case, spec.key, actor, **fields)
        assert (after.state, after.version) == (spec.target or before[0], before[1] + 1)
        return
    expected = Forbidden if outcome == FORBIDDEN else NotFound
    with pytest.raises((Forbidden, NotFound)) as refused:
        make.fire(case, spec.key, actor, **fields)
    assert type(refused.value) is expected
    assert refused.value.code == ("role_not_allowed" if outcome == FORBIDDEN else "case_not_found")
    if outcome == FORBIDDEN:
        assert spec.key not in cases.allowed_events(session=make.session, case=case, unit=unit, actor=actor)
    make.session.refresh(case)
    assert (case.state, case.version) == before


def test_a_leader_of_a_parent_unit_acts_on_cases_deep_below_it(make):
    """Roles reach down the unit tree: a township leader assigns a household officer's case."""
    driver = Driver(make, "assistance_officer")
    case = driver.open()
    leader = make.user("leader", "township")
    assert make.fire(case, "assign", leader).state == "assigned"


def test_a_second_membership_widens_what_a_person_may_do(make):
    """A village clerk who also leads the other village may assign there, but not at home."""
    clerk = make.user("unit", "village", ("leader", "village2"))
    home = Driver(make, "village").open()
    other = make.case("village2")
    assert make.fire(other, "assign", clerk).state == "assigned"
    with pytest.raises(Forbidden):
        make.fire(home, "assign", clerk)
