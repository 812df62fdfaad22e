"""The sweep: chase every case that is due for a reminder or a ladder step, each step exactly once.

Set-based: one indexed query finds the cases whose `next_due_at` has come (a partial index over
open cases), however many there are in all. Each is then handled in a transaction of its own,
with its row locked: the step is claimed under a unique key (case, kind, level, clock) before
anything is sent, the notifications go to the inboxes, the step is recorded on the case's chain
by the system actor, and the case's next look is set — all or nothing. Two sweeps at once, a
retried job or a user's event racing the sweep can therefore never send a step twice; a case that
is rejected or extended and late again has a new clock and is chased again.

The notifications a sweep makes carry its batch and are handed on to channels together when it
ends, so each channel gets one digest of the sweep rather than a message per case.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.campaigns.zones import zone_of
from casework.cases import service as cases
from casework.cases.models import Case
from casework.db import utcnow
from casework.deadlines import clock
from casework.deadlines.calendar import calendar
from casework.notifications import recipients
from casework.notifications.message import case_params
from casework.notifications.models import DeadlineStep
from casework.notifications.service import deliver, hand_on_batch, take_step
from casework.users.system import system_actor_id

log = logging.getLogger("casework.sweep")

TOPIC = "deadlines.sweep"
BATCH = 200
REMINDER, ESCALATION = "reminder", "escalation"
REMINDED, ESCALATED = "deadline.reminded", "deadline.escalated"


def due_cases(*, session: Session, now: datetime, after_id: int = 0, limit: int = BATCH) -> list[int]:
    """Open cases whose next look has come (the partial index on next_due_at answers this)."""
    return list(session.scalars(
        select(Case.id).where(Case.closed_at.is_(None), Case.next_due_at <= now, Case.id > after_id)
        .order_by(Case.id).limit(limit)))


def _facts(case: Case) -> clock.Facts:
    return clock.Facts(deadline=case.deadline, state=case.state, state_since=case.state_since,
                       escalation_level=case.escalation_level, closed=case.closed_at is not None)


def _reminded(session: Session, case: Case) -> bool:
    return session.scalars(select(DeadlineStep.id).where(
        DeadlineStep.case_id == case.id, DeadlineStep.kind == REMINDER, DeadlineStep.clock_seq == case.clock_seq)
    ).first() is not None


def _lateness(case: Case, tz, now: datetime) -> dict:
    today = now.astimezone(tz).date()
    late = (today - case.deadline).days if case.deadline else 0
    return {"days_late": max(late, 0), "days_left": max(-late, 0)}


def batch_of(now: datetime) -> str:
    """The batch a sweep's notifications carry: one per moment swept (a retried sweep keeps it)."""
    return f"sweep:{now.isoformat()}"


def chase(*, session: Session, case_id: int, now: datetime) -> list[str]:
    """Send what one case is due for at `now` (in the caller's transaction); what was sent."""
    case = session.execute(select(Case).where(Case.id == case_id).with_for_update(skip_locked=False)
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if case is None or case.closed_at is not None:
        return []
    definition = cases.definition_of(session=session, case=case)
    tz, work_calendar = zone_of(session=session, campaign_id=case.campaign_id), calendar(session=session)
    reminded = _reminded(session, case)
    found = clock.due(_facts(case), definition, tz=tz, calendar=work_calendar, now=now, reminded=reminded)
    sent: list[str] = []
    system = system_actor_id(session=session)
    params = case_params(session=session, case=case) | _lateness(case, tz, now)
    if found.reminder and take_step(session=session, case_id=case.id, kind=REMINDER, level=0,
                                    clock_seq=case.clock_seq):
        people = recipients.unit_people(session=session, case=case)
        deliver(session=session, user_ids=people, kind=REMINDER, code="n_reminder", params=params, case_id=case.id,
                dedupe_key=f"case:{case.id}:reminder:{case.clock_seq}", batch=batch_of(now))
        case = cases.record(session=session, case_id=case.id, event=REMINDED, actor_id=system,
                            payload={"clock_seq": case.clock_seq, "notified": people})
        reminded = True
        sent.append("reminder")
    if found.level > case.escalation_level and take_step(session=session, case_id=case.id, kind=ESCALATION,
                                                         level=found.level, clock_seq=case.clock_seq):
        # Only the highest step reached: a case found several steps late is not sent every one.
        step = definition.escalation[found.level - 1]
        people = recipients.for_target(session=session, case=case, target=step.notify)
        state = definition.states.get(case.state)
        code = "n_overdue" if found.reason == clock.OVERDUE else "n_stalled"
        step_params = params | {"level": found.level, "state": state.label if state else case.state,
                                "time_allowed": str(state.time_allowed) if state and state.time_allowed else ""}
        deliver(session=session, user_ids=people, kind=ESCALATION, code=code, params=step_params, case_id=case.id,
                level=found.level, dedupe_key=f"case:{case.id}:escalation:{found.level}:{case.clock_seq}",
                batch=batch_of(now))
        case = cases.record(session=session, case_id=case.id, event=ESCALATED, actor_id=system,
                            payload={"level": found.level, "reason": found.reason, "clock_seq": case.clock_seq,
                                     "notify": step.notify, "notified": people})
        sent.append(f"escalation {found.level}")
    next_at = clock.next_look(_facts(case), definition, tz=tz, calendar=work_calendar, now=now, reminded=reminded)
    session.execute(update(Case).where(Case.id == case.id).values(next_due_at=next_at)
                    .execution_options(synchronize_session=False))
    return sent


def sweep(*, runtime, payload: dict, **_) -> None:
    """The job: chase every due case, one transaction each (a failure on one says why and moves on)."""
    now = datetime.fromisoformat(payload["now"]) if payload.get("now") else utcnow()
    after, chased = 0, 0
    while True:
        with runtime.transaction() as session:
            batch = due_cases(session=session, now=now, after_id=after)
        if not batch:
            break
        for case_id in batch:
            try:
                with runtime.transaction() as session:
                    if chase(session=session, case_id=case_id, now=now):
                        chased += 1
            except Exception:  # noqa: BLE001 - one broken case must not stop the chasing of the others
                log.exception("sweep: case %d could not be chased", case_id)
        after = batch[-1]
    # Channels hear of the whole sweep at once (a retried sweep hands on what its first run made too).
    with runtime.transaction() as session:
        hand_on_batch(session=session, batch=batch_of(now))
    log.info("sweep at %s: %d case(s) chased", now.isoformat(), chased)
