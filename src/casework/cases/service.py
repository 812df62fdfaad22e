"""Opening cases and firing their events: the one place a case changes.

Every change is one transaction the caller commits: the case row (under its optimistic lock),
one audit event chained to the one before, and any outbox rows. The row is a projection of its
events (cases/projection.py): each write is computed by the same function that `verify` replays.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.campaigns import service as campaigns
from casework.campaigns import zones
from casework.cases import projection, sources
from casework.cases.models import Case
from casework.cases.permissions import may_fire, may_open, visible_case
from casework.db import utcnow
from casework.deadlines import clock
from casework.deadlines.calendar import calendar
from casework.errors import Conflict, Forbidden, NotFound, Unprocessable
from casework.evidence.models import Evidence
from casework.households import service as households
from casework.limits import CATEGORY_MAX, DESCRIPTION_MAX, REASON_MAX, TITLE_MAX, VILLAGE_MAX
from casework.outbox import service as outbox
from casework.text import clean_date, clean_id, clean_text
from casework.trail.chain import GENESIS, dumps, event_hash, normalise
from casework.trail.models import CaseEvent
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import can_see, has_role
from casework.vocabulary import Role
from casework.workflows import registry
from casework.workflows.definition import EventDef, WorkflowDefinition
from casework.workflows.machine import next_state

SEVERITIES = ("low", "normal", "high")
# A system event landing between a user's read and write moves the chain head but not the
# version: the write is recomputed on the new head rather than refused. More than a few such
# landings in a row would mean something is wrong.
CHAIN_RETRIES = 5


def _event_row(*, case_id: int, seq: int, prev_hash: str, event: str, from_state: str | None,
               to_state: str, actor_id: int, at: datetime, payload: dict[str, Any]) -> CaseEvent:
    payload = normalise(payload)
    digest = event_hash(case_id=case_id, seq=seq, event=event, from_state=from_state, to_state=to_state,
                        actor_id=actor_id, at=at, payload=payload, prev_hash=prev_hash)
    return CaseEvent(case_id=case_id, seq=seq, event=event, from_state=from_state, to_state=to_state,
                     actor_id=actor_id, at=at, payload=dumps(payload), prev_hash=prev_hash, hash=digest)


def _step_of(row: CaseEvent) -> projection.Step:
    return projection.Step(seq=row.seq, event=row.event, from_state=row.from_state, to_state=row.to_state,
                           actor_id=row.actor_id, at=row.at, payload=json.loads(row.payload), hash=row.hash)


CASE_EVENT = "case.event"
CLOSURE_BUILD = "closure.build"


def _outbox(session: Session, row: CaseEvent) -> None:
    # Notifications and closure packs react to workflow events after commit.
    payload = {"case_id": row.case_id, "seq": row.seq, "event": row.event}
    reason = json.loads(row.payload).get("reason")
    if reason:
        payload["reason"] = reason  # a notice of a rejection says why
    outbox.add(session=session, topic=CASE_EVENT, case_id=row.case_id, payload=payload)


def definition_of(*, session: Session, case: Case) -> WorkflowDefinition:
    """The definition the case is pinned to, whatever the workflow files say today."""
    return registry.get(session=session, key=case.workflow_key, version=case.workflow_version).definition


def open_case(*, session: Session, actor: User, campaign_id: int, unit_id: int, title: str,
              description: str = "", item_id: int | None = None, village: str | None = None,
              severity: str = "normal", deadline: date | str | None = None, household_id: int | None = None,
              source: str | None = None, category: str | None = None) -> Case:
    """Log a finding as a case in state `found`; its opening is the first event of its chain.

    Its category defaults to its item's area of the plan; a household is named by id only.
    """
    campaign = campaigns.get(session=session, campaign_id=clean_id(campaign_id, field="campaign_id"))
    unit = session.get(Unit, clean_id(unit_id, field="unit_id"))
    if unit is None or not can_see(actor, unit):
        raise NotFound("unit_not_found", ref=unit_id)
    allowed, self_inspection = may_open(actor, unit)
    if not allowed:
        raise Forbidden("cannot_open_case")
    item = None
    if item_id is not None:
        item = campaigns.get_item(session=session, campaign_id=campaign.id,
                                  item_id=clean_id(item_id, field="item_id"))
    if severity not in SEVERITIES:
        raise Unprocessable("invalid_field", field="severity", reason_code="severity_unknown",
                            choices=", ".join(SEVERITIES))
    title = clean_text(title, field="title", max_length=TITLE_MAX, names=True)
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX, required=False) or ""
    village = clean_text(village, field="village", max_length=VILLAGE_MAX, required=False, names=True)
    deadline = clean_date(deadline, field="deadline") if deadline is not None else (
        item.default_deadline if item else None)
    if household_id is not None:
        household_id = households.visible(session=session, user=actor,
                                          household_id=clean_id(household_id, field="household_id")).id
    source = sources.checked(session=session, source=source)
    category = clean_text(category, field="category", max_length=CATEGORY_MAX, required=False) or (
        item.area if item else None)

    pinned = registry.choose(session=session, unit_kind=unit.kind, override=item.workflow_key if item else None)
    payload = {"number": campaigns.next_case_number(session=session, campaign=campaign),
               "campaign_id": campaign.id, "item_id": item.id if item else None, "unit_id": unit.id,
               "assignee_id": None, "title": title, "description": description, "village": village,
               "household_id": household_id, "source": source, "category": category,
               "severity": severity, "deadline": deadline, "self_inspection": self_inspection,
               "workflow": {"key": pinned.key, "version": pinned.version}}
    now = utcnow()
    # The row needs its id before its first event can be hashed (the hash covers the case id).
    opened = projection.opening(projection.Step(1, projection.OPEN_EVENT, None, pinned.definition.initial,
                                                actor.id, now, normalise(payload), GENESIS))
    case = Case(**opened, next_due_at=_next_due(session, opened, pinned.definition, now))
    session.add(case)
    session.flush()
    first = _event_row(case_id=case.id, seq=1, prev_hash=GENESIS, event=projection.OPEN_EVENT, from_state=None,
                       to_state=case.state, actor_id=actor.id, at=now, payload=payload)
    session.add(first)
    _outbox(session, first)
    case.chain_head = first.hash
    session.flush()
    return case


def fired_by(*, session: Session, case: Case, actor: User) -> set[str]:
    """The events `actor` has fired on the case (for separation of duties), in one query."""
    return set(session.scalars(select(CaseEvent.event).where(CaseEvent.case_id == case.id,
                                                             CaseEvent.actor_id == actor.id).distinct()))


def allowed_events(*, session: Session, case: Case, unit: Unit, actor: User) -> list[str]:
    """The events this user may fire on the case now (fields and evidence still to be given)."""
    definition = definition_of(session=session, case=case)
    candidates = [e for e in definition.events_from(case.state) if may_fire(actor, unit, e)]
    # Anyone who ever fired the named event (submit) is barred, not only the latest submitter:
    # evidence handed in before a rejection may still be what is being verified.
    fired = fired_by(session=session, case=case, actor=actor) if any(e.not_by_actor_of for e in candidates) else set()
    return [e.key for e in candidates if e.not_by_actor_of not in fired]


def _clean_fields(session: Session, case: Case, event: EventDef, fields: dict[str, Any], actor: User,
                  unit: Unit) -> dict[str, Any]:
    given = {k: v for k, v in fields.items() if v is not None}
    unexpected = sorted(set(given) - set(event.fields()))
    if unexpected:
        raise Unprocessable("invalid_field", field=unexpected[0], reason_code="field_not_taken",
                            event=event.key, takes=", ".join(event.fields()))
    missing = [f for f in event.requires if f not in given or (isinstance(given[f], str) and not given[f].strip())]
    if missing:
        raise Unprocessable("missing_fields", fields=", ".join(missing))
    clean: dict[str, Any] = {}
    # The assignee is checked against the unit the case ends up in, so that unit is cleaned first.
    for name, value in sorted(given.items(), key=lambda item: item[0] == "assignee_id"):
        if name in ("reason", "comment"):
            clean[name] = clean_text(value, field=name, max_length=REASON_MAX)
        elif name == "deadline":
            clean[name] = clean_date(value, field=name)
            if event.key == "extend" and case.deadline is not None and clean[name] <= case.deadline:
                raise Unprocessable("invalid_field", field=name, reason_code="extend_not_later",
                                    current=case.deadline.isoformat())
        elif name == "unit_id":
            target = session.get(Unit, clean_id(value, field=name))
            if target is None or not can_see(actor, target):
                raise Unprocessable("invalid_field", field=name, reason_code="no_unit_in_scope")
            clean[name] = target.id
        elif name == "assignee_id":
            assignee = session.get(User, clean_id(value, field=name))
            target_unit = session.get(Unit, clean["unit_id"]) if "unit_id" in clean else unit
            if assignee is None or not assignee.is_active or not (
                has_role(assignee, target_unit, Role.UNIT.value) or has_role(assignee, target_unit, Role.LEADER.value)
            ):
                raise Unprocessable("invalid_field", field=name, reason_code="assignee_unfit")
            clean[name] = assignee.id
    if "unit_id" in clean and "assignee_id" not in clean:
        # Said in the record rather than left to a rule: the old unit's person leaves with the move.
        clean["assignee_id"] = None
    return clean


def _check_evidence(session: Session, case: Case, event: EventDef) -> None:
    if not event.evidence:
        return
    # A withdrawn file no longer counts for the kinds an event requires.
    present = set(session.scalars(select(Evidence.kind).where(Evidence.case_id == case.id,
                                                              Evidence.withdrawn_at.is_(None)).distinct()))
    missing = [kind for kind in event.evidence if kind not in present]
    if missing:
        raise Unprocessable("missing_evidence", kinds=", ".join(missing))


def _row(case: Case) -> dict[str, Any]:
    return {name: getattr(case, name) for name in projection.PROJECTED}


def _next_due(session: Session, row: dict[str, Any], definition: WorkflowDefinition, now: datetime) -> datetime | None:
    """When the sweep should first look at a case whose clock (re)started with `row`."""
    facts = clock.Facts(deadline=row["deadline"], state=row["state"], state_since=row["state_since"],
                        escalation_level=row["escalation_level"], closed=row["closed_at"] is not None)
    return clock.next_look(facts, definition, tz=zones.zone_of(session=session, campaign_id=row["campaign_id"]),
                           calendar=calendar(session=session), now=now)


def _write(session: Session, case: Case, *, event: str, to_state: str, actor_id: int,
           payload: dict[str, Any], expected_version: int | None) -> tuple[Case, CaseEvent]:
    """Append one event to the case's chain and project it onto the row, in the caller's transaction.

    `expected_version` is the optimistic lock of a user's write (None for a record-only event,
    which locks the row instead). A system event that landed since the case was read moves the
    chain head but not the version: the write is recomputed on the new head, never refused.
    """
    definition = definition_of(session=session, case=case)
    for _attempt in range(CHAIN_RETRIES):
        now = utcnow()
        row = _event_row(case_id=case.id, seq=case.event_count + 1, prev_hash=case.chain_head, event=event,
                         from_state=case.state, to_state=to_state, actor_id=actor_id, at=now, payload=payload)
        changes = projection.step(_row(case), _step_of(row), definition)
        if "clock_seq" in changes:
            changes["next_due_at"] = _next_due(session, {**_row(case), **changes}, definition, now)
        guard = [Case.id == case.id, Case.event_count == case.event_count]
        if expected_version is not None:
            guard.append(Case.version == expected_version)
        written = session.execute(
            update(Case).where(*guard).values(**changes).returning(Case)
            .execution_options(populate_existing=True, synchronize_session=False)
        ).scalars().first()
        if written is not None:
            session.add(row)
            session.flush()
            return written, row
        case = session.execute(select(Case).where(Case.id == case.id)
                               .execution_options(populate_existing=True)).scalar_one()
        if expected_version is not None and case.version != expected_version:
            raise Conflict("stale_version", current=case.version, given=expected_version)
    raise Conflict("stale_version", current=case.version, given=expected_version)


def fire(*, session: Session, case_id: int, event: str, actor: User, version: Any,
         fields: dict[str, Any] | None = None) -> Case:
    """Fire `event` on the case as `actor`, who saw it at `version`; returns the case after.

    Checks in order, each with its own error: visible (404), version current (409), event allowed
    in this state (409), role may fire it (403), fields and evidence present (422), separation of
    duties (403).
    """
    case, unit = visible_case(session=session, case_id=case_id, user=actor)
    if isinstance(version, bool) or not isinstance(version, int):
        raise Unprocessable("invalid_field", field="version", reason_code="version_not_number")
    if version != case.version:
        raise Conflict("stale_version", current=case.version, given=version)
    definition = definition_of(session=session, case=case)
    spec = definition.events.get(event) if isinstance(event, str) else None
    target = next_state(definition, case.state, event) if spec else None
    state_label = definition.states[case.state].label if case.state in definition.states else case.state
    if spec is None or target is None:
        raise Conflict("event_not_allowed", event=event, state=case.state, state_label=state_label,
                       event_label=spec.label if spec else event,
                       allowed=[e.key for e in definition.events_from(case.state)])
    if not may_fire(actor, unit, spec):
        raise Forbidden("role_not_allowed", event=event, event_label=spec.label, roles=[str(r) for r in spec.roles])
    clean = _clean_fields(session, case, spec, fields or {}, actor, unit)
    _check_evidence(session, case, spec)
    if spec.not_by_actor_of and spec.not_by_actor_of in fired_by(session=session, case=case, actor=actor):
        raise Forbidden("separation_of_duties", event=event)
    was_verified = definition.is_verified(case.state)
    case, row = _write(session, case, event=event, to_state=target, actor_id=actor.id, payload=clean,
                       expected_version=version)
    _outbox(session, row)
    if definition.is_verified(target) and not was_verified:
        # Its closure record (整改销号材料) is built from the history up to this event.
        outbox.add(session=session, topic=CLOSURE_BUILD, case_id=case.id,
                   payload={"case_id": case.id, "closing_seq": row.seq})
    return case


def record(*, session: Session, case_id: int, event: str, actor_id: int, payload: dict[str, Any]) -> Case:
    """Append a record-only event (evidence attached, reminder sent, escalation …) to a case's chain.

    The row is locked for the append and its `version` is left alone, so people working on the
    case at the same moment never get a 409 because of it.
    """
    if not projection.is_record_only(event):
        raise ValueError(f"{event!r} is a workflow event; fire it instead")
    case = session.execute(select(Case).where(Case.id == case_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()
    case, _row = _write(session, case, event=event, to_state=case.state, actor_id=actor_id, payload=payload,
                        expected_version=None)
    return case
