"""Campaigns and their inspection items, and who may see and lead them."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.campaigns.plan_parties import normalise, party
from casework.errors import Conflict, Forbidden, NotFound, Unprocessable
from casework.limits import CAMPAIGN_CODE
from casework.text import clean_date
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import ancestor_paths, can_see, has_role, unit_filter
from casework.vocabulary import Role
from casework.workflows import registry


def get(*, session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", ref=campaign_id)
    return campaign


def by_code(*, session: Session, code: str) -> Campaign:
    campaign = session.scalars(select(Campaign).where(Campaign.code == code)).first()
    if campaign is None:
        raise NotFound("campaign_not_found", ref=code)
    return campaign


def _sees(user: User, leader_unit: Unit) -> bool:
    # A campaign is seen by those whose scope covers its leading unit, and by everyone working
    # below that unit (a village sees its township's campaign).
    return can_see(user, leader_unit) or leader_unit.path in ancestor_paths(user)


def visible(*, session: Session, user: User, campaign_id: int) -> Campaign:
    """The campaign if the user takes part in it; not found otherwise."""
    campaign = session.get(Campaign, campaign_id)
    leader = session.get(Unit, campaign.leader_unit_id) if campaign else None
    if campaign is None or leader is None or not _sees(user, leader):
        raise NotFound("campaign_not_found", ref=campaign_id)
    return campaign


def visible_list(*, session: Session, user: User) -> list[Campaign]:
    """The campaigns the user takes part in, newest first."""
    query = (select(Campaign).join(Unit, Unit.id == Campaign.leader_unit_id)
             .where(or_(unit_filter(user), Unit.path.in_(ancestor_paths(user))))
             .order_by(Campaign.starts_on.desc(), Campaign.id.desc()))
    return list(session.scalars(query))


def require_lead(*, session: Session, user: User, campaign: Campaign) -> None:
    """Campaigns and their items are set up by the leading unit's leaders (or its admins)."""
    unit = session.get_one(Unit, campaign.leader_unit_id)
    if not (has_role(user, unit, Role.LEADER.value) or has_role(user, unit, Role.ADMIN.value)):
        raise Forbidden("forbidden")


def create(*, session: Session, name: str, code: str, starts_on: date, leader_unit: Unit,
           ends_on: date | None = None, timezone: str = "Asia/Shanghai",
           actor: User | None = None) -> Campaign:
    """A new campaign; `code` prefixes its case numbers (QS → QS-2026-0001).

    With an `actor`, they must lead (or administer) the leading unit; None is an operator.
    """
    if actor is not None and not (has_role(actor, leader_unit, Role.LEADER.value)
                                  or has_role(actor, leader_unit, Role.ADMIN.value)):
        raise Forbidden("forbidden")
    starts_on = clean_date(starts_on, field="starts_on")
    ends_on = clean_date(ends_on, field="ends_on") if ends_on is not None else None
    try:
        ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise Unprocessable("invalid_field", field="timezone", reason_code="timezone_unknown")
    if not CAMPAIGN_CODE.match(code):
        raise Unprocessable("invalid_field", field="code", reason_code="campaign_code_invalid")
    if ends_on is not None and ends_on < starts_on:
        raise Unprocessable("invalid_field", field="ends_on", reason_code="ends_before_start")
    if session.scalars(select(Campaign.id).where(Campaign.code == code)).first():
        raise Conflict("duplicate", what="campaign code", value=code)
    campaign = Campaign(name=name, code=code, starts_on=starts_on, ends_on=ends_on,
                        leader_unit_id=leader_unit.id, timezone=timezone, case_seq=0, item_seq=0)
    session.add(campaign)
    session.flush()
    return campaign


def _bump(session: Session, campaign: Campaign, column) -> int:
    # UPDATE … RETURNING: two concurrent writers can never get the same number.
    return session.execute(
        update(Campaign).where(Campaign.id == campaign.id).values({column: column + 1}).returning(column)
    ).scalar_one()


def next_case_number(*, session: Session, campaign: Campaign) -> str:
    """The next human number, e.g. QS-2026-0042; never repeats, even under concurrent opens."""
    seq = _bump(session, campaign, Campaign.case_seq)
    return f"{campaign.code}-{campaign.starts_on.year}-{seq:04d}"


def add_item(*, session: Session, campaign: Campaign, title: str, code: str | None = None,
             what_to_inspect: str = "", rectification_measure: str = "",
             responsible: list[str] = (), default_deadline: date | None = None,
             workflow_key: str | None = None) -> InspectionItem:
    """An inspection item (排查项) of the campaign, after the ones before it."""
    if default_deadline is not None:
        default_deadline = clean_date(default_deadline, field="default_deadline")
    if workflow_key is not None and workflow_key not in registry.current(session=session):
        raise NotFound("workflow_not_found", ref=workflow_key)
    item = InspectionItem(campaign_id=campaign.id, code=code, title=title,
                          what_to_inspect=what_to_inspect, rectification_measure=rectification_measure,
                          responsible_unit_kinds=json.dumps(list(responsible), ensure_ascii=False),
                          default_deadline=default_deadline, workflow_key=workflow_key,
                          position=_bump(session, campaign, Campaign.item_seq))
    session.add(item)
    session.flush()
    return item


def items(*, session: Session, campaign: Campaign) -> list[InspectionItem]:
    """The campaign's inspection items in plan order."""
    return list(session.scalars(select(InspectionItem).where(InspectionItem.campaign_id == campaign.id)
                                .order_by(InspectionItem.position, InspectionItem.id)))


def get_item(*, session: Session, campaign_id: int, item_id: int) -> InspectionItem:
    item = session.get(InspectionItem, item_id)
    if item is None or item.campaign_id != campaign_id:
        raise NotFound("item_not_found", ref=item_id)
    return item


def update_item(*, session: Session, item: InspectionItem, changes: dict) -> InspectionItem:
    """A leader's correction of an item (after an import, a later import keeps it)."""
    if "default_deadline" in changes and changes["default_deadline"] is not None:
        changes["default_deadline"] = clean_date(changes["default_deadline"], field="default_deadline")
    if changes.get("workflow_key") and changes["workflow_key"] not in registry.current(session=session):
        raise NotFound("workflow_not_found", ref=changes["workflow_key"])
    for name, value in changes.items():
        if name == "responsible":
            item.responsible_unit_kinds = json.dumps(list(value), ensure_ascii=False)
            item.parties = json.dumps([asdict(party(normalise(n))) for n in value], ensure_ascii=False)
        else:
            setattr(item, name, value)
    session.flush()
    return item
