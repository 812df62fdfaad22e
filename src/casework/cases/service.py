"""Opening cases and firing their events: the one place a case changes.

Every change is one transaction the caller commits: the case row (under its optimistic lock),
one audit event chained to the one before, and any outbox rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.audit.chain import GENESIS, dumps, event_hash, normalise
from casework.audit.models import CaseEvent
from casework.campaigns import service as campaigns
from casework.cases.models import Case
from casework.cases.permissions import may_fire, may_open, visible_case
from casework.db import utcnow
from casework.errors import Conflict, Forbidden, NotFound, Unprocessable
from casework.evidence.models import Evidence
from casework.outbox.models import OutboxMessage
from casework.text import clean_date, clean_id, clean_text
from casework.units.models import Unit
from casework.users.models import User
from casework.vocabulary import Role
from casework.users.scope import can_see, has_role
from casework.workflows import registry
from casework.workflows.definition import EventDef, WorkflowDefinition
from casework.workflows.machine import next_state

OPEN_EVENT = "open"
SEVERITIES = ("low", "normal", "high")


def _event_row(*, case: Case, seq: int, prev_hash: str, event: str, from_state: str | None,
               to_state: str, actor: User, at: datetime, payload: dict[str, Any]) -> CaseEvent:
    payload = normalise(payload)
    digest = event_hash(case_id=case.id, seq=seq, event=event, from_state=from_state, to_state=to_state,
                        actor_id=actor.id, at=at, payload=payload, prev_hash=prev_hash)
    return CaseEvent(case_id=case.id, seq=seq, event=event, from_state=from_state, to_state=to_state,
                     actor_id=actor.id, at=at, payload=dumps(payload), prev_hash=prev_hash, hash=digest)


def _record(session: Session, row: CaseEvent) -> None:
    """Add the event and its outbox row (notifications, closure packs read them after commit)."""
    session.add(row)
    session.add(OutboxMessage(topic="case.event", case_id=row.case_id,
                              payload=dumps({"case_id": row.case_id, "seq": row.seq, "event": row.event})))


def open_case(*, session: Session, actor: User, campaign_id: int, unit_id: int, title: str,
              description: str = "", item_id: int | None = None, village: str | None = None,
              severity: str = "normal", deadline: date | str | None = None) -> Case:
    """Log a finding as a case in state `found`; its opening is the first event of its chain."""
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
        raise Unprocessable("invalid_field", field="severity", reason=f"one of {', '.join(SEVERITIES)}")
    title = clean_text(title, field="title", max_length=300)
    description = clean_text(description, field="description", max_length=20000, required=False) or ""
    village = clean_text(village, field="village", max_length=100, required=False)
    deadline = clean_date(deadline, field="deadline") if deadline is not None else (
        item.default_deadline if item else None)

    pinned = registry.choose(session=session, unit_kind=unit.kind, override=item.workflow_key if item else None)
    now = utcnow()
    case = Case(
        number=campaigns.next_case_number(session=session, campaign=campaign),
        campaign_id=campaign.id, item_id=item.id if item else None, unit_id=unit.id,
        title=title, description=description, village=village, severity=severity, deadline=deadline,
        state=pinned.definition.initial, workflow_key=pinned.key, workflow_version=pinned.version,
        self_inspection=self_inspection, version=1, event_count=1, chain_head=GENESIS,
        escalation_level=0, opened_by=actor.id, created_at=now, updated_at=now,
    )
    session.add(case)
    session.flush()
    first = _event_row(
        case=case, seq=1, prev_hash=GENESIS, event=OPEN_EVENT, from_state=None,
        to_state=case.state, actor=actor, at=now,
        payload={"number": case.number, "campaign_id": campaign.id, "item_id": case.item_id,
                 "unit_id": unit.id, "title": title, "description": description, "village": village,
                 "severity": severity, "deadline": deadline, "self_inspection": self_inspection,
                 "workflow": {"key": pinned.key, "version": pinned.version}},
    )
    _record(session, first)
    case.chain_head = first.hash
    session.flush()
    return case


def definition_of(*, session: Session, case: Case) -> WorkflowDefinition:
    """The definition the case is pinned to, whatever the workflow files say today."""
    return registry.get(session=session, key=case.workflow_key, version=case.workflow_version).definition


def _blocked_by_separation(session: Session, case: Case, event: EventDef, actor: User) -> bool:
    # Anyone who ever fired the named event (submit) on this case is barred, not only the latest:
    # evidence handed in before a rejection may still be what is being verified.
    if not event.not_by_actor_of:
        return False
    return session.scalars(
        select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.event == event.not_by_actor_of,
                                   CaseEvent.actor_id == actor.id).limit(1)
    ).first() is not None


def allowed_events(*, session: Session, case: Case, unit: Unit, actor: User) -> list[str]:
    """The events this user may fire on the case now (fields and evidence still to be given)."""
    definition = definition_of(session=session, case=case)
    return [
        e.key for e in definition.events_from(case.state)
        if may_fire(actor, unit, e) and not _blocked_by_separation(session, case, e, actor)
    ]


def _clean_fields(session: Session, event: EventDef, fields: dict[str, Any], actor: User,
                  unit: Unit) -> dict[str, Any]:
    given = {k: v for k, v in fields.items() if v is not None}
    unexpected = sorted(set(given) - set(event.fields()))
    if unexpected:
        raise Unprocessable("invalid_field", field=unexpected[0],
                            reason=f"not taken by '{event.key}' (it takes: {', '.join(event.fields())})")
    missing = [f for f in event.requires if f not in given or (isinstance(given[f], str) and not given[f].strip())]
    if missing:
        raise Unprocessable("missing_fields", fields=", ".join(missing))
    clean: dict[str, Any] = {}
    # The assignee is checked against the unit the case ends up in, so that unit is cleaned first.
    for name, value in sorted(given.items(), key=lambda item: item[0] == "assignee_id"):
        if name in ("reason", "comment"):
            clean[name] = clean_text(value, field=name, max_length=2000)
        elif name == "deadline":
            clean[name] = clean_date(value, field=name)
        elif name == "unit_id":
            target = session.get(Unit, clean_id(value, field=name))
            if target is None or not can_see(actor, target):
                raise Unprocessable("invalid_field", field=name, reason="no such unit in your scope")
            clean[name] = target.id
        elif name == "assignee_id":
            assignee = session.get(User, clean_id(value, field=name))
            target_unit = session.get(Unit, clean["unit_id"]) if "unit_id" in clean else unit
            if assignee is None or not assignee.is_active or not (
                has_role(assignee, target_unit, Role.UNIT.value) or has_role(assignee, target_unit, Role.LEADER.value)
            ):
                raise Unprocessable("invalid_field", field=name,
                                    reason="the assignee must be an active user with a role over the responsible unit")
            clean[name] = assignee.id
    return clean


def _check_evidence(session: Session, case: Case, event: EventDef) -> None:
    if not event.evidence:
        return
    present = set(session.scalars(select(Evidence.kind).where(Evidence.case_id == case.id).distinct()))
    missing = [kind for kind in event.evidence if kind not in present]
    if missing:
        raise Unprocessable("missing_evidence", kinds=", ".join(missing))


def fire(*, session: Session, case_id: int, event: str, actor: User, version: Any,
         fields: dict[str, Any] | None = None) -> Case:
    """Fire `event` on the case as `actor`, who saw it at `version`; returns the case after.

    Checks in order, each with its own error: visible (404), version current (409), event allowed
    in this state (409), role may fire it (403), fields and evidence present (422), separation of
    duties (403).
    """
    case, unit = visible_case(session=session, case_id=case_id, user=actor)
    if isinstance(version, bool) or not isinstance(version, int):
        raise Unprocessable("invalid_field", field="version", reason="must be the case's version number")
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
    clean = _clean_fields(session, spec, fields or {}, actor, unit)
    _check_evidence(session, case, spec)
    if _blocked_by_separation(session, case, spec, actor):
        raise Forbidden("separation_of_duties", event=event)

    now = utcnow()
    seq = case.event_count + 1
    row = _event_row(case=case, seq=seq, prev_hash=case.chain_head, event=event,
                     from_state=case.state, to_state=target, actor=actor, at=now, payload=clean)
    changes: dict[str, Any] = {
        "state": target, "version": version + 1, "event_count": seq, "chain_head": row.hash,
        "updated_at": now,
    }
    for name in ("assignee_id", "unit_id", "deadline"):
        if name in clean:
            changes[name] = clean[name]
    if "unit_id" in clean and "assignee_id" not in clean:
        # The old unit's person has no business with the case once it moves to another unit.
        changes["assignee_id"] = None
    if target != case.state:
        # A new state starts its own clock; escalation counts again from the bottom rung.
        changes["escalation_level"] = 0
    # The optimistic lock: a concurrent writer who got here first has bumped the version.
    result = session.execute(
        update(Case).where(Case.id == case.id, Case.version == version).values(**changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("stale_version", current=version + 1, given=version)
    _record(session, row)
    session.flush()
    session.refresh(case)
    return case
