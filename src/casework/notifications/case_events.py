"""Telling people what a workflow event means for them: new work, work sent back, work to check."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.notifications import recipients
from casework.notifications.message import case_params
from casework.notifications.service import deliver

# event → (notification kind, message code, who is told)
_NOTICES = {
    "assign": ("assigned", "n_assigned", "unit"),
    "reassign": ("assigned", "n_assigned", "unit"),
    "reject": ("returned", "n_returned", "unit"),
    "village_reject": ("returned", "n_returned", "unit"),
    "submit": ("to_verify", "n_to_verify", "leaders"),
    "village_verify": ("to_verify", "n_to_verify", "leaders_above"),
}


def on_case_event(*, session: Session, payload: dict, **_) -> None:
    """The job for a case event: the inbox notifications it calls for (once per person)."""
    notice = _NOTICES.get(payload["event"])
    case = session.get(Case, payload["case_id"])
    if notice is None or case is None:
        return
    kind, code, who = notice
    if who == "unit":
        people = recipients.unit_people(session=session, case=case)
    elif who == "leaders":
        people = recipients.nearest_leaders(session=session, unit_id=case.unit_id)
    else:  # the village checked it: the township signs off
        people = recipients.campaign_leaders(session=session, campaign_id=case.campaign_id)
    params = case_params(session=session, case=case) | {"reason": payload.get("reason") or ""}
    deliver(session=session, user_ids=people, kind=kind, code=code, params=params, case_id=case.id,
            dedupe_key=f"case:{case.id}:event:{payload['seq']}")
