"""Gathering what a closure pack shows from the record, up to and including the closing event.

Never from later events or checkpoints: recording the pack itself on the history, or a later
checkpoint, does not change what it shows, so building it again gives the same bytes.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.cases import projection
from casework.cases.models import Case
from casework.cases.reuse import NEAR_DUPLICATE_PHOTO, OLD_PHOTO, SAME_BYTES, flags_of
from casework.cases.service import definition_of
from casework.closure.content import EvidenceEntry, InspectionItem as PackItem, PackContent, TimelineEntry
from casework.evidence.models import Evidence
from casework.evidence.storage import Storage
from casework.households.models import Household
from casework.trail.models import CaseEvent
from casework.units.models import Unit
from casework.users.models import User
from casework.vocabulary import EVIDENCE_LABELS

# How the record's own events read in the timeline.
_RECORD_LABELS = {"evidence.attached": "上传佐证资料", "evidence.withdrawn": "撤回佐证资料",
                  "deadline.reminded": "到期提醒", "deadline.escalated": "逾期督办", "closure.packed": "生成销号材料"}
_REUSE_WORDS = {SAME_BYTES: "与 {number} 的文件完全相同", NEAR_DUPLICATE_PHOTO: "与 {number} 的照片几乎相同",
                OLD_PHOTO: "拍摄时间早于立案一个月以上"}


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


def assemble(*, session: Session, storage: Storage, case_id: int, closing_seq: int) -> PackContent:
    """The pack's content for the closing event `closing_seq` of the case."""
    case = session.get(Case, case_id)
    definition = definition_of(session=session, case=case)
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq <= closing_seq)
                             .order_by(CaseEvent.seq)).all()
    closing = events[-1]
    state_at_close = projection.replay(
        [projection.Step(e.seq, e.event, e.from_state, e.to_state, e.actor_id, e.at, json.loads(e.payload), e.hash)
         for e in events], lambda key, version: definition)
    attached = [json.loads(e.payload)["evidence_id"] for e in events if e.event == "evidence.attached"]
    withdrawn = {json.loads(e.payload)["evidence_id"] for e in events if e.event == "evidence.withdrawn"}
    files = session.scalars(select(Evidence).where(Evidence.id.in_(attached)).order_by(Evidence.id)).all()
    flags = flags_of(session=session, evidence_ids=[f.id for f in files])
    names = _names(session, {e.actor_id for e in events} | {f.uploaded_by for f in files}
                   | ({state_at_close["assignee_id"]} if state_at_close["assignee_id"] else set()))
    campaign = session.get(Campaign, case.campaign_id)
    item = session.get(InspectionItem, state_at_close["item_id"]) if state_at_close["item_id"] else None
    unit = session.get(Unit, state_at_close["unit_id"])
    deadline = state_at_close["deadline"]
    completed = closing.at
    late = deadline is not None and completed.astimezone(ZoneInfo(campaign.timezone)).date() > deadline
    return PackContent(
        campaign_name=campaign.name,
        item=PackItem(title=item.title, what_to_inspect=item.what_to_inspect or None,
                      rectification_measure=item.rectification_measure or None) if item else PackItem(title="—"),
        case_number=case.number, title=state_at_close["title"], description=state_at_close["description"],
        village=state_at_close["village"], household_name=_head_of(session, state_at_close.get("household_id")), unit_name=unit.name,
        assignee_name=names.get(state_at_close["assignee_id"], "—"), deadline=deadline, completed_at=completed,
        late=late, timeline=tuple(_timeline(events, definition, names, {f.id: f for f in files})),
        evidence=tuple(_evidence(files, withdrawn, flags, names, storage)), verified_by_name=names[closing.actor_id],
        closing_seq=closing.seq, closing_hash=closing.hash, time_zone=campaign.timezone)


def _head_of(session: Session, household_id: int | None) -> str | None:
    # The head's name only: a closure pack travels (to the county, into an archive box), so it
    # never carries an ID number or a phone.
    household = session.get(Household, household_id) if household_id else None
    return household.head_name if household else None


def _timeline(events, definition, names, files) -> list[TimelineEntry]:
    entries = []
    for event in events:
        payload = json.loads(event.payload)
        spec = definition.events.get(event.event)
        label = spec.label if spec else _RECORD_LABELS.get(event.event, "登记问题" if event.event == "open" else event.event)
        comment = payload.get("comment")
        if event.event == "deadline.escalated":
            label = f"逾期督办(第{payload.get('level')}级)"
        if event.event in ("evidence.attached", "evidence.withdrawn") and payload.get("evidence_id") in files:
            found = files[payload["evidence_id"]]
            comment = f"{EVIDENCE_LABELS.get(found.kind, found.kind)}:{found.filename}"
        moved = event.to_state != event.from_state
        from_label = definition.states[event.from_state].label if moved and event.from_state in definition.states else None
        to_label = definition.states[event.to_state].label if moved and event.to_state in definition.states else None
        entries.append(TimelineEntry(seq=event.seq, at=event.at, actor_name=names.get(event.actor_id, "系统"),
                                     event_label=label, from_label=from_label, to_label=to_label,
                                     reason=payload.get("reason"), comment=comment))
    return entries


def _evidence(files, withdrawn, flags, names, storage) -> list[EvidenceEntry]:
    entries = []
    for number, found in enumerate(files, start=1):
        words = tuple(_REUSE_WORDS[f["kind"]].format(number=f["other_case_number"] or "")
                      for f in flags.get(found.id, []))
        entries.append(EvidenceEntry(
            number=number, filename=found.filename, kind_label=EVIDENCE_LABELS.get(found.kind, found.kind),
            size=found.size, sha256=found.sha256, content_type=found.content_type,
            uploaded_by_name=names.get(found.uploaded_by, ""), uploaded_at=found.uploaded_at, taken_at=found.taken_at,
            gps=(found.gps_lat, found.gps_lon) if found.gps_lat is not None else None, reuse_flags=words,
            withdrawn=found.id in withdrawn, is_image=found.content_type.startswith("image/"),
            open_file=lambda sha=found.sha256: storage.open(sha)))
    return entries
