"""The case row as a projection of its events (DESIGN.md, "Audit trail").

The opening event carries every field a case starts with; each later event the fields it changes.
The service computes each write with `step`, and verification replays a chain with the same
functions, so the row and the record cannot drift apart without `verify` saying where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from casework.workflows.definition import WorkflowDefinition

# Events that record something on the chain without being a step of the workflow: evidence
# attached, reminders and escalations sent, a closure pack built. Their names carry a dot, which
# a workflow key cannot, so they never clash; they leave the case's `version` alone, so nobody
# gets a 409 because the system wrote to a case they are looking at.
RECORD_ONLY_PREFIXES = ("evidence.", "deadline.", "closure.")
ESCALATED = "deadline.escalated"
OPEN_EVENT = "open"

# Fields an event's payload may change, as the columns they land in.
CHANGEABLE = ("assignee_id", "unit_id", "deadline", "household_id", "source", "category")

# Every column the replay reproduces (and `verify` compares with the row).
PROJECTED = (
    "number", "campaign_id", "item_id", "unit_id", "assignee_id", "title", "description", "village",
    "household_id", "source", "category",
    "severity", "deadline", "state", "workflow_key", "workflow_version", "self_inspection", "opened_by",
    "created_at", "updated_at", "version", "event_count", "chain_head", "escalation_level", "closed_at",
    "state_since", "clock_seq",
)


def is_record_only(event: str) -> bool:
    return event.startswith(RECORD_ONLY_PREFIXES)


@dataclass(frozen=True)
class Step:
    """What the projection needs of one event."""

    seq: int
    event: str
    from_state: str | None
    to_state: str
    actor_id: int
    at: datetime
    payload: dict[str, Any]
    hash: str


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def opening(step: Step) -> dict[str, Any]:
    """The row a case starts as, from its opening event."""
    p = step.payload
    workflow = p.get("workflow") or {}
    return {
        "number": p.get("number"), "campaign_id": p.get("campaign_id"), "item_id": p.get("item_id"),
        "unit_id": p.get("unit_id"), "assignee_id": p.get("assignee_id"), "title": p.get("title"),
        "description": p.get("description") or "", "village": p.get("village"),
        "household_id": p.get("household_id"), "source": p.get("source"), "category": p.get("category"),
        "severity": p.get("severity"), "deadline": _as_date(p.get("deadline")), "state": step.to_state,
        "workflow_key": workflow.get("key"), "workflow_version": workflow.get("version"),
        "self_inspection": bool(p.get("self_inspection")), "opened_by": step.actor_id,
        "created_at": step.at, "updated_at": step.at, "version": 1, "event_count": step.seq,
        "chain_head": step.hash, "escalation_level": 0, "closed_at": None, "state_since": step.at,
        "clock_seq": step.seq,
    }


def step(row: dict[str, Any], event: Step, definition: WorkflowDefinition) -> dict[str, Any]:
    """The columns that change when `event` follows a case that looks like `row`."""
    changes: dict[str, Any] = {"event_count": event.seq, "chain_head": event.hash}
    if not is_record_only(event.event):
        changes["version"] = row["version"] + 1
        changes["updated_at"] = event.at
    if event.to_state != row["state"]:
        # A new state starts its own clock; escalation counts again from the bottom rung.
        changes.update(state=event.to_state, state_since=event.at, clock_seq=event.seq, escalation_level=0)
        if definition.is_closed(event.to_state):
            if not definition.is_closed(row["state"]):
                changes["closed_at"] = event.at
        else:
            changes["closed_at"] = None
    for name in CHANGEABLE:
        if name in event.payload:
            value = event.payload[name]
            changes[name] = _as_date(value) if name == "deadline" else value
    if "unit_id" in event.payload and "assignee_id" not in event.payload:
        # The old unit's person has no business with the case once it moves to another unit.
        changes["assignee_id"] = None
    if "deadline" in event.payload:
        # A new deadline is a new clock: a case extended and late again is chased again.
        changes.update(clock_seq=event.seq, escalation_level=0)
    if event.event == ESCALATED:
        changes["escalation_level"] = int(event.payload.get("level", 0))
    return changes


def replay(steps: list[Step], definition_for) -> dict[str, Any]:
    """The row a chain of events leads to; `definition_for(key, version)` gives the workflow."""
    row = opening(steps[0])
    definition = definition_for(row["workflow_key"], row["workflow_version"])
    for later in steps[1:]:
        row.update(step(row, later, definition))
    return row
