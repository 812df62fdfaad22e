"""A case as its page shows it: names instead of ids, its history as a timeline, its evidence.

Each function costs a constant number of queries whatever the case's length: names are looked
up once for every id a timeline or an evidence list mentions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.cases import evidence as evidence_service
from casework.cases.models import Case
from casework.cases.queries import history
from casework.cases.reuse import flags_of
from casework.evidence.models import Evidence
from casework.units.models import Unit
from casework.users.models import User
from casework.workflows.definition import WorkflowDefinition


def display_names(*, session: Session, user_ids: set[int]) -> dict[int, str]:
    """Each user's display name, in one query."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def unit_names(*, session: Session, unit_ids: set[int]) -> dict[int, str]:
    ids = {i for i in unit_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


@dataclass(frozen=True)
class CaseContext:
    """What a case's ids stand for, as people read them."""

    campaign_name: str
    item_title: str | None
    assignee_name: str | None
    opened_by_name: str | None


def context_of(*, session: Session, case: Case) -> CaseContext:
    """The campaign, inspection item and people a case names."""
    campaign_name = session.scalar(select(Campaign.name).where(Campaign.id == case.campaign_id)) or ""
    item_title = (session.scalar(select(InspectionItem.title).where(InspectionItem.id == case.item_id))
                  if case.item_id else None)
    names = display_names(session=session, user_ids={case.assignee_id, case.opened_by})
    return CaseContext(campaign_name=campaign_name, item_title=item_title,
                       assignee_name=names.get(case.assignee_id), opened_by_name=names.get(case.opened_by))


@dataclass(frozen=True)
class TimelineEntry:
    """One event of the case's chain with the names people read; the wording is the page's."""

    seq: int
    at: datetime
    event: str
    actor_name: str
    label: str | None  # the workflow's label for a workflow event; None for the opening and records
    from_state: str | None
    to_state: str
    from_label: str | None
    to_label: str
    payload: dict[str, Any] = field(default_factory=dict)
    assignee_name: str | None = None
    unit_name: str | None = None


def timeline(*, session: Session, case: Case, definition: WorkflowDefinition) -> list[TimelineEntry]:
    """Every event of the case, oldest first, with actors, assignees and units named."""
    events = history(session=session, case=case)
    payloads = [json.loads(e.payload or "{}") for e in events]
    people = display_names(session=session, user_ids={e.actor_id for e in events}
                           | {p.get("assignee_id") for p in payloads if isinstance(p.get("assignee_id"), int)})
    units = unit_names(session=session, unit_ids={p.get("unit_id") for p in payloads
                                                   if isinstance(p.get("unit_id"), int)})

    def state_label(key: str | None) -> str | None:
        if key is None:
            return None
        state = definition.states.get(key)
        return state.label if state else key

    entries = []
    for event, payload in zip(events, payloads):
        spec = definition.events.get(event.event)
        entries.append(TimelineEntry(
            seq=event.seq, at=event.at, event=event.event, actor_name=people.get(event.actor_id, ""),
            label=spec.label if spec else None, from_state=event.from_state, to_state=event.to_state,
            from_label=state_label(event.from_state), to_label=state_label(event.to_state), payload=payload,
            assignee_name=people.get(payload.get("assignee_id")), unit_name=units.get(payload.get("unit_id"))))
    return entries


@dataclass(frozen=True)
class EvidenceRow:
    evidence: Evidence
    uploader_name: str
    reuse: list[dict] = field(default_factory=list)


def evidence_of(*, session: Session, case: Case) -> list[EvidenceRow]:
    """The case's evidence in the order attached, with who uploaded it and its reuse flags."""
    rows = evidence_service.of_case(session=session, case=case)
    flags = flags_of(session=session, evidence_ids=[e.id for e in rows])
    names = display_names(session=session, user_ids={e.uploaded_by for e in rows})
    return [EvidenceRow(e, names.get(e.uploaded_by, ""), flags.get(e.id, [])) for e in rows]
