"""The python-statemachine class built from a definition. It holds no I/O: it only says what may
happen from a state and where an event leads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statemachine import StateChart
from statemachine.exceptions import TransitionNotAllowed
from statemachine.io import create_machine_class_from_definition

if TYPE_CHECKING:
    from casework.workflows.definition import WorkflowDefinition

# Generated classes default to silently ignoring unknown events and swallowing errors while still
# changing state; these flags make them strict, like a hand-written StateMachine.
_STRICT = {
    "allow_event_without_transition": False,
    "catch_errors_as_events": False,
    "atomic_configuration_update": True,
    "enable_self_transition_entries": False,
    # A rectification case may loop (verified → reopen → …) with no final state ahead; our own
    # validation already refuses states with no way out.
    "validate_final_reachability": False,
}


def _states(definition: "WorkflowDefinition") -> dict[str, Any]:
    states: dict[str, Any] = {}
    for key, state in definition.states.items():
        on: dict[str, list[dict]] = {}
        for event in definition.events_from(key):
            # An event that does not move the case is an internal self-transition.
            on[event.key] = [{"target": event.target or key, "internal": event.target is None}]
        states[key] = {"name": state.label, "initial": key == definition.initial, "final": state.final}
        if on:
            states[key]["on"] = on
    return states


_classes: dict[str, type[StateChart]] = {}


def build_machine_class(definition: "WorkflowDefinition") -> type[StateChart]:
    """The machine class for a definition, built once per distinct content (~1.5 ms a build)."""
    cache_key = definition.content_hash
    if cache_key not in _classes:
        _classes[cache_key] = create_machine_class_from_definition(
            f"Workflow_{definition.key}", _states(definition), **_STRICT
        )
    return _classes[cache_key]


class _Holder:
    """A stand-in model so the machine never writes to the ORM object; the service does."""

    def __init__(self, state: str) -> None:
        self.state = state


def allowed_events(definition: "WorkflowDefinition", state: str) -> list[str]:
    """The events the machine accepts in `state` (roles and fields are the service's business)."""
    machine = build_machine_class(definition)(model=_Holder(state), state_field="state")
    return [event.id for event in machine.allowed_events]


def next_state(definition: "WorkflowDefinition", state: str, event: str) -> str | None:
    """Where `event` leads from `state`, or None when the machine does not allow it there."""
    holder = _Holder(state)
    machine = build_machine_class(definition)(model=holder, state_field="state")
    try:
        machine.send(event)
    except TransitionNotAllowed:
        return None
    return holder.state
