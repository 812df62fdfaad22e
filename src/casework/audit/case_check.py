"""Checking one case's record: its chain, its row against the replay, and its last checkpoint."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from casework.audit.findings import Finding, shown
from casework.cases import projection
from casework.trail.chain import GENESIS, event_hash
from casework.workflows.definition import WorkflowDefinition

# Columns of an event row, in the order the verifier selects them.
EVENT_COLUMNS = ("seq", "event", "from_state", "to_state", "actor_id", "at", "payload", "prev_hash", "hash")


def _chain(case_id: int, number: str, events: Sequence[Any]) -> tuple[Finding | None, list[projection.Step]]:
    """The first break in the chain itself, and the steps read from it."""
    steps: list[projection.Step] = []
    prev = GENESIS
    for expected_seq, (seq, event, from_state, to_state, actor_id, at, raw, prev_hash, digest) in enumerate(events, 1):
        if seq != expected_seq:
            return Finding("chain_event_missing", case_id, number, expected_seq), steps
        if prev_hash != prev:
            return Finding("chain_link_broken", case_id, number, seq), steps
        try:
            payload = json.loads(raw)
        except ValueError:
            return Finding("chain_payload_invalid", case_id, number, seq), steps
        recomputed = event_hash(case_id=case_id, seq=seq, event=event, from_state=from_state, to_state=to_state,
                                actor_id=actor_id, at=at, payload=payload, prev_hash=prev_hash)
        if recomputed != digest:
            return Finding("chain_hash_mismatch", case_id, number, seq), steps
        steps.append(projection.Step(seq, event, from_state, to_state, actor_id, at, payload, digest))
        prev = digest
    return None, steps


def check_case(row: dict[str, Any], events: Sequence[Any], *, checkpoint: tuple[int, str] | None,
               definition_for: Callable[[str, int], WorkflowDefinition]) -> Finding | None:
    """The first thing in this case's record that does not match, or None.

    `row` is the case row's columns; `events` its event rows (EVENT_COLUMNS), oldest first;
    `checkpoint` the (event count, head) the latest checkpoint recorded for it, if any.
    """
    case_id, number = row["id"], row["number"]
    broken, steps = _chain(case_id, number, events)
    if broken:
        return broken
    if len(steps) != row["event_count"]:
        # Named at the first event that should be there and is not (or the first one too many).
        first_missing = min(len(steps), row["event_count"]) + 1
        return Finding("chain_count_mismatch", case_id, number, first_missing, "event_count",
                       expected=str(row["event_count"]), found=str(len(steps)))
    if (steps[-1].hash if steps else GENESIS) != row["chain_head"]:
        return Finding("chain_head_mismatch", case_id, number, len(steps) or None, "chain_head")
    recorded = checkpoint[0] if checkpoint else 0
    if recorded != row["checkpointed_count"]:
        # The row says a later checkpoint took this case in than any entry shows: one was deleted.
        return Finding("checkpoint_entry_missing", case_id, number, None, "checkpointed_count",
                       expected=str(row["checkpointed_count"]), found=str(recorded))
    if checkpoint is not None:
        count, head = checkpoint
        if len(steps) < count:
            return Finding("checkpoint_shortened", case_id, number, None, "event_count",
                           expected=str(count), found=str(len(steps)))
        if steps[count - 1].hash != head:
            return Finding("checkpoint_rewritten", case_id, number, count)
    if steps:
        replayed = projection.replay(steps, definition_for)
        for field in projection.PROJECTED:
            if shown(replayed[field]) != shown(row[field]):
                return Finding("row_field_mismatch", case_id, number, None, field,
                               expected=shown(replayed[field]), found=shown(row[field]))
    return None
