"""Telling leaders each morning that their daily report is ready (once per campaign and day)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign
from casework.campaigns.zones import zone_of
from casework.db import utcnow
from casework.notifications import recipients
from casework.notifications.service import deliver


def announce_daily(*, session: Session, payload: dict, **_) -> None:
    """The job: a notice in the inbox of each running campaign's leaders, with the report's address."""
    now = datetime.fromisoformat(payload["now"]) if payload.get("now") else utcnow()
    for campaign in session.scalars(select(Campaign).where(or_(Campaign.ends_on.is_(None),
                                                               Campaign.ends_on >= now.date()))):
        on = now.astimezone(zone_of(session=session, campaign_id=campaign.id)).date()
        if on < campaign.starts_on:
            continue
        deliver(session=session, user_ids=recipients.campaign_leaders(session=session, campaign_id=campaign.id),
                kind="daily_report", code="n_daily_report", dedupe_key=f"daily:{campaign.id}:{on.isoformat()}",
                params={"campaign": campaign.name, "date": on.isoformat(), "campaign_id": campaign.id,
                        "link": f"/api/v1/reports/daily.pdf?campaign_id={campaign.id}"})
