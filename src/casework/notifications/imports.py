"""Telling people a findings list came in: one notice for the whole import, not one per case."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign
from casework.notifications import recipients
from casework.notifications.service import deliver


def on_findings_imported(*, session: Session, payload: dict, **_) -> None:
    """The job for a committed findings import: the campaign's leaders and the importer hear of it."""
    campaign = session.get(Campaign, payload["campaign_id"])
    if campaign is None:
        return
    people = recipients.campaign_leaders(session=session, campaign_id=campaign.id) + [payload["actor_id"]]
    # One import, one key: its first case's id is unique to it, so a job run twice tells nobody twice.
    deliver(session=session, user_ids=people, kind="import_summary", code="n_import_summary",
            params={"count": payload["count"], "campaign": campaign.name},
            dedupe_key=f"import:{payload['first_case_id']}")
