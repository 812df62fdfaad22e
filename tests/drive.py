"""Driving a case through its workflow in tests: paths read from the definition, not hard-coded.

`Driver` picks, for each event, a person allowed to fire it (a township leader, a village leader
or a member of the case's unit), supplies the fields the event requires and uploads the evidence
it needs, so a test can say "bring this case to `evidenced`" for any shipped workflow.
"""

from __future__ import annotations

from collections import deque

from casework.cases import service as cases
from casework.cases.models import Case
from casework.paths import workflows_dir
from casework.users.models import User
from casework.workflows.definition import EventDef, WorkflowDefinition, load_folder

from tests.factories import Factory

# What a person would type for each field an event may require.
FIELD_VALUES = {
    "reason": "入户核实后发现仍有漏项",
    "comment": "已入户核查,补填走访记录",
    "deadline": "2026-12-31",
}


def shipped() -> dict[str, WorkflowDefinition]:
    """The workflow files in workflows/, validated."""
    definitions, errors = load_folder(workflows_dir())
    assert not errors, errors
    return definitions


def unit_for(definition: WorkflowDefinition) -> str:
    """The factory unit a case of this workflow is opened in (a village for the default one)."""
    return "village" if "village" in definition.applies_to else definition.applies_to[0]


def path_to(definition: WorkflowDefinition, state: str, start: str | None = None) -> list[str]:
    """The shortest list of events leading from `start` (the initial state) to `state`."""
    start = start or definition.initial
    paths = {start: []}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for event in definition.events_from(here):
            if event.target and event.target not in paths:
                paths[event.target] = paths[here] + [event.key]
                queue.append(event.target)
    return paths[state]


def required_fields(event: EventDef, case: Case) -> dict:
    """Values for every field the event requires."""
    return {name: case.unit_id if name == "unit_id" else FIELD_VALUES[name] for name in event.requires}


class Driver:
    """Fires events on cases of one unit, choosing a permitted person for each."""

    def __init__(self, make: Factory, where: str) -> None:
        self.make = make
        self.where = where
        self.people = [make.user("leader", "township"), make.user("leader", "village"), make.user("unit", where)]

    @property
    def session(self):
        return self.make.session

    def definition(self, case: Case) -> WorkflowDefinition:
        return cases.definition_of(session=self.session, case=case)

    def open(self, **fields) -> Case:
        return self.make.case(self.where, by=self.people[0], **fields)

    def who_may(self, case: Case, event: str) -> User:
        """Someone the service would let fire `event` now, or a leader if nobody may."""
        unit = self.make.unit(self.where)
        for person in self.people:
            if event in cases.allowed_events(session=self.session, case=case, unit=unit, actor=person):
                return person
        return self.people[0]

    def prepare(self, case: Case, event: str, actor: User) -> dict:
        """Upload the evidence `event` needs and return the fields it requires."""
        spec = self.definition(case).events[event]
        for kind in spec.evidence:
            self.make.evidence(case, kind, actor)
        return required_fields(spec, case)

    def fire(self, case: Case, event: str, actor: User | None = None, **fields) -> Case:
        actor = actor or self.who_may(case, event)
        given = self.prepare(case, event, actor) | fields
        return self.make.fire(case, event, actor, **given)

    def to_state(self, case: Case, state: str) -> Case:
        for event in path_to(self.definition(case), state, case.state):
            case = self.fire(case, event)
        assert case.state == state
        return case
