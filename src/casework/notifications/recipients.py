"""Who is told about a case: its assignee and unit, its nearest leader, its campaign's leader."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign
from casework.cases.models import Case
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.vocabulary import Role

# Who an escalation step notifies (the workflow files name these).
UNIT, UNIT_LEADER, CAMPAIGN_LEADER = "unit", "unit_leader", "campaign_leader"


def _holders(session: Session, unit_ids: list[int], role: str) -> dict[int, list[int]]:
    rows = session.execute(
        select(Membership.unit_id, Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.unit_id.in_(unit_ids), Membership.role == role, User.is_active.is_(True))
        .order_by(Membership.user_id)
    ).all()
    found: dict[int, list[int]] = {}
    for unit_id, user_id in rows:
        found.setdefault(unit_id, []).append(user_id)
    return found


def unit_people(*, session: Session, case: Case) -> list[int]:
    """The assignee, and everyone holding the `unit` role at the case's unit."""
    people = [case.assignee_id] if case.assignee_id else []
    return list(dict.fromkeys(people + _holders(session, [case.unit_id], Role.UNIT.value).get(case.unit_id, [])))


def nearest_leaders(*, session: Session, unit_id: int) -> list[int]:
    """The leaders at the unit, or else at the nearest unit above it that has any."""
    unit = session.get(Unit, unit_id)
    chain = [int(part) for part in unit.path.strip("/").split("/")][::-1]  # the unit, then upwards
    leaders = _holders(session, chain, Role.LEADER.value)
    for candidate in chain:
        if leaders.get(candidate):
            return leaders[candidate]
    return []


def campaign_leaders(*, session: Session, campaign_id: int) -> list[int]:
    campaign = session.get(Campaign, campaign_id)
    return nearest_leaders(session=session, unit_id=campaign.leader_unit_id)


def for_target(*, session: Session, case: Case, target: str) -> list[int]:
    """The people an escalation target names for this case."""
    if target == UNIT:
        return unit_people(session=session, case=case)
    if target == UNIT_LEADER:
        return nearest_leaders(session=session, unit_id=case.unit_id)
    return campaign_leaders(session=session, campaign_id=case.campaign_id)
