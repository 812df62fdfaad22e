"""Each campaign's time zone: its deadlines are local calendar dates there."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign
from casework.memo import Memo

# A campaign's time zone is set when it is opened and never changes: asked once per process.
_zones = Memo()


def zone_of(*, session: Session, campaign_id: int) -> ZoneInfo:
    zone = _zones.get(session, campaign_id)
    if zone is None:
        zone = _zones.put(session, campaign_id, session.scalars(
            select(Campaign.timezone).where(Campaign.id == campaign_id)).one())
    return ZoneInfo(zone)
