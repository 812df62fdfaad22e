"""Importing a work plan into a campaign's inspection items: a preview first, then the commit.

Items are keyed by their place in the plan's hierarchy (三.(一).1), so importing the same plan
again changes nothing. An item a leader edited since it was imported is never overwritten: the
preview lists the differences between the item as it stands and the plan instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import magic
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns import service
from casework.campaigns.models import Campaign, InspectionItem
from casework.campaigns.plan import PlanItem, PlanWarning, parse_text, text_from_docx
from casework.errors import TooLarge, UnsupportedMedia
from casework.limits import DESCRIPTION_MAX, TITLE_MAX
from casework.text_files import decode

# What an import sets on an item, and so what "edited since" compares.
FIELDS = ("title", "what_to_inspect", "rectification_measure", "responsible", "default_deadline", "area")

CREATE, UPDATE, UNCHANGED, KEPT = "create", "update", "unchanged", "kept_edited"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class ItemOutcome:
    code: str
    action: str  # create | update | unchanged | kept_edited
    plan: dict[str, Any]  # the item as the plan states it
    parties: list[dict]
    deadline_text: str | None
    source: str
    item_id: int | None = None
    differences: list[dict] = field(default_factory=list)


@dataclass
class ImportResult:
    items: list[ItemOutcome]
    warnings: list[PlanWarning]
    committed: bool


def _plan_fields(item: PlanItem) -> dict[str, Any]:
    return {"title": item.title[:TITLE_MAX], "what_to_inspect": item.what_to_inspect[:DESCRIPTION_MAX],
            "rectification_measure": item.rectification_measure[:DESCRIPTION_MAX],
            "responsible": [party.name for party in item.parties],
            "default_deadline": item.deadline.isoformat() if item.deadline else None, "area": item.area}


def current_fields(item: InspectionItem) -> dict[str, Any]:
    """The fields an import sets, as the item stands now."""
    return {"title": item.title, "what_to_inspect": item.what_to_inspect or "",
            "rectification_measure": item.rectification_measure or "",
            "responsible": json.loads(item.responsible_unit_kinds or "[]"),
            "default_deadline": item.default_deadline.isoformat() if item.default_deadline else None,
            "area": item.area}


def _apply(item: InspectionItem, fields: dict[str, Any], parties: list[dict], source: str) -> None:
    item.title, item.what_to_inspect = fields["title"], fields["what_to_inspect"]
    item.rectification_measure, item.area = fields["rectification_measure"], fields["area"]
    item.responsible_unit_kinds = json.dumps(fields["responsible"], ensure_ascii=False)
    item.default_deadline = date.fromisoformat(fields["default_deadline"]) if fields["default_deadline"] else None
    item.parties = json.dumps(parties, ensure_ascii=False)
    item.source = source
    item.imported = json.dumps(fields, ensure_ascii=False, sort_keys=True)


def import_plan(*, session: Session, campaign: Campaign, text: str, commit: bool) -> ImportResult:
    """Read `text` into the campaign's items: what would happen (commit=False), or do it."""
    parsed = parse_text(text, year=campaign.starts_on.year)
    existing = {item.code: item for item in session.scalars(
        select(InspectionItem).where(InspectionItem.campaign_id == campaign.id, InspectionItem.code.is_not(None)))}
    outcomes: list[ItemOutcome] = []
    for planned in parsed.items:
        fields = _plan_fields(planned)
        parties = [{"name": p.name, "unit_kind": p.unit_kind, "role": p.role} for p in planned.parties]
        outcome = ItemOutcome(planned.code, CREATE, fields, parties, planned.deadline_text, planned.source)
        item = existing.get(planned.code)
        if item is not None:
            outcome.item_id = item.id
            now = current_fields(item)
            imported = json.loads(item.imported) if item.imported else None
            if now == fields:
                outcome.action = UNCHANGED
            elif imported is None or now != imported:
                # A leader made or changed it since any import: theirs stands, the plan's is shown.
                outcome.action = KEPT
                outcome.differences = [{"field": name, "current": now[name], "plan": fields[name]}
                                       for name in FIELDS if now[name] != fields[name]]
            else:
                outcome.action = UPDATE
                outcome.differences = [{"field": name, "current": now[name], "plan": fields[name]}
                                       for name in FIELDS if now[name] != fields[name]]
        outcomes.append(outcome)
        if commit and outcome.action in (CREATE, UPDATE):
            if item is None:
                item = service.add_item(session=session, campaign=campaign, title=fields["title"], code=planned.code)
                outcome.item_id = item.id
            _apply(item, fields, parties, planned.source)
    if commit:
        session.flush()
    return ImportResult(outcomes, list(parsed.warnings), commit)


def read_plan_file(stream, *, limit: int) -> str:
    """The text of an uploaded plan: a Word (.docx) file or plain text (UTF-8 or GBK)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge("plan_file_too_large", limit_mb=limit // (1024 * 1024))
    detected = magic.from_buffer(data[:65536], mime=True) if data else "application/x-empty"
    if detected == DOCX:
        return text_from_docx(data)
    if detected.startswith("text/"):
        return decode(data)
    raise UnsupportedMedia("plan_file_type", detected=detected)
