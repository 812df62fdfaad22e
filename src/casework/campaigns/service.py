"""Campaigns and their inspection items."""

from __future__ import annotations

import json
import re
from datetime import date

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.errors import Conflict, NotFound, Unprocessable
from casework.text import clean_date
from casework.units.models import Unit

_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")


def get(*, session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", ref=campaign_id)
    return campaign


def create(*, session: Session, name: str, code: str, starts_on: date, leader_unit: Unit,
           ends_on: date | None = None, timezone: str = "Asia/Shanghai") -> Campaign:
    """A new campaign; `code` prefixes its case numbers (QS → QS-2026-0001)."""
    starts_on = clean_date(starts_on, field="starts_on")
    ends_on = clean_date(ends_on, field="ends_on") if ends_on is not None else None
    try:
        ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise Unprocessable("invalid_field", field="timezone", reason="an IANA time zone such as Asia/Shanghai")
    if not _CODE.match(code):
        raise Unprocessable("invalid_field", field="code", reason="1–16 capital letters or digits, starting with a letter")
    if ends_on is not None and ends_on < starts_on:
        raise Unprocessable("invalid_field", field="ends_on", reason="must not be before starts_on")
    if session.scalars(select(Campaign.id).where(Campaign.code == code)).first():
        raise Conflict("duplicate", what="campaign code", value=code)
    campaign = Campaign(name=name, code=code, starts_on=starts_on, ends_on=ends_on,
                        leader_unit_id=leader_unit.id, timezone=timezone, case_seq=0)
    session.add(campaign)
    session.flush()
    return campaign


def next_case_number(*, session: Session, campaign: Campaign) -> str:
    """The next human number, e.g. QS-2026-0042; never repeats, even under concurrent opens."""
    seq = session.execute(
        update(Campaign).where(Campaign.id == campaign.id)
        .values(case_seq=Campaign.case_seq + 1).returning(Campaign.case_seq)
    ).scalar_one()
    return f"{campaign.code}-{campaign.starts_on.year}-{seq:04d}"


def add_item(*, session: Session, campaign: Campaign, title: str, code: str | None = None,
             what_to_inspect: str = "", rectification_measure: str = "",
             responsible: list[str] = (), default_deadline: date | None = None,
             workflow_key: str | None = None, position: int = 0) -> InspectionItem:
    """An inspection item (排查项) of the campaign."""
    if default_deadline is not None:
        default_deadline = clean_date(default_deadline, field="default_deadline")
    item = InspectionItem(campaign_id=campaign.id, code=code, title=title,
                          what_to_inspect=what_to_inspect, rectification_measure=rectification_measure,
                          responsible_unit_kinds=json.dumps(list(responsible), ensure_ascii=False),
                          default_deadline=default_deadline, workflow_key=workflow_key, position=position)
    session.add(item)
    session.flush()
    return item


def get_item(*, session: Session, campaign_id: int, item_id: int) -> InspectionItem:
    item = session.get(InspectionItem, item_id)
    if item is None or item.campaign_id != campaign_id:
        raise NotFound("item_not_found", ref=item_id)
    return item
