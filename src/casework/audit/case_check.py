"""Checking one case's record: its chain, its row against the replay, and its last checkpoint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from casework.audit.findings import Finding, shown
from casework.cases import projection
from casework.trail.chain import GENESIS, event_hash, event_text
from casework.workflows.definition import WorkflowDefinition

# Columns of an event row, in the order the verifier selects them.
EVENT_COLUMNS = ("seq", "event", "from_state", "to_state", "actor_id", "at", "payload", "prev_hash", "hash")


# Payload keys the replay reads (projection.opening reads the opening event's whole payload).
_REPLAYED_KEYS = tuple(f'"{name}"' for name in (*projection.CHANGEABLE, "level"))


def _hash_holds(case_id: int, seq: int, event: str, from_state: str | None, to_state: str, actor_id: int, at: Any,
                raw: str, prev_hash: str, digest: str) -> bool:
    """Whether the stored hash is the hash of the event as stored, put together from its stored
    payload text (no parsing: most of the time of verifying millions of events)."""
    text = event_text(case_id=case_id, seq=seq, event=event, from_state=from_state, to_state=to_state,
                      actor_id=actor_id, at=at, payload_text=raw, prev_hash=prev_hash)
    return text is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() == digest


def _replayed_payload(seq: int, raw: str) -> dict[str, Any]:
    """The payload as far as the replay reads it: parsed only when it may hold what the replay
    looks for (the text is canonical here, so a key in it appears as `"key"`)."""
    if seq == 1 or any(key in raw for key in _REPLAYED_KEYS):
        return json.loads(raw)
    return {}


def _chain(case_id: int, number: str, events: Sequence[Any]) -> tuple[Finding | None, list[projection.Step]]:
    """The first break in the chain itself, and the steps read from it."""
    steps: list[projection.Step] = []
    prev = GENESIS
    for expected_seq, (seq, event, from_state, to_state, actor_id, at, raw, prev_hash, digest) in enumerate(events, 1):
        if seq != expected_seq:
            return Finding("chain_event_missing", case_id, number, expected_seq), steps
        if prev_hash != prev:
            return Finding("chain_link_broken", case_id, number, seq), steps
        if _hash_holds(case_id, seq, event, from_state, to_state, actor_id, at, raw, prev_hash, digest):
            payload = _replayed_payload(seq, raw)
        else:
            # The slow way, which says why: a payload that is no JSON, or a hash that does not match
            # even over the payload in canonical form (stored text out of canonical form is no
            # finding by itself; its content is what the hash covers).
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
            expected, found = replayed[field], row[field]
            # Compared as the finding would quote them only when they differ as values (a date
            # and its text are the same field read two ways).
            if expected != found and shown(expected) != shown(found):
                return Finding("row_field_mismatch", case_id, number, None, field,
                               expected=shown(expected), found=shown(found))
    return None
