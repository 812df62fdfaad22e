"""Handing over a person's open cases to someone else in one step (when a village official leaves,
nothing of theirs may fall through).

Every case the person is assigned and the leader sees gets a `reassign` event naming the reason,
fired through `service.fire` — each case under its own optimistic lock, each event on its chain —
in the caller's one transaction. The hand-over is all or nothing: before anything is written,
each case is checked, and if any would be left with nobody who may work it (the receiver cannot
work its unit), or its workflow version cannot reassign it in its state, or the leader does not
lead its unit, the whole hand-over is refused naming those cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.cases import service
from casework.cases.models import Case
from casework.cases.permissions import may_fire, may_work
from casework.errors import Unprocessable
from casework.i18n import translate
from casework.limits import REASON_MAX
from casework.text import clean_text
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import can_see, unit_filter

REASSIGN = "reassign"
# Enough to read at a glance in a refusal; the details list every case.
NAMED_IN_MESSAGE = 20


@dataclass(frozen=True)
class Problem:
    case_id: int
    number: str
    unit_name: str
    reason_code: str
    params: dict

    def as_dict(self, language: str) -> dict:
        return {"case_id": self.case_id, "number": self.number, "unit": self.unit_name, "code": self.reason_code,
                "reason": translate(self.reason_code, language, self.params)}


class HandOverRefused(Unprocessable):
    """A hand-over that would leave cases behind: nothing was written; the details name each case."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "、".join(f"{p.number}({p.unit_name})" for p in problems[:NAMED_IN_MESSAGE])
        if len(problems) > NAMED_IN_MESSAGE:
            shown += " …"
        super().__init__("handover_refused", count=len(problems), cases=shown)
        self.problems = problems

    def public_details(self, language: str = "zh") -> dict:
        return {**super().public_details(language), "problems": [p.as_dict(language) for p in self.problems]}


def open_cases_of(*, session: Session, person: User, viewer: User, lock: bool = False) -> list[tuple[Case, Unit]]:
    """The open cases assigned to `person` that `viewer` sees, oldest first (locked for a write)."""
    query = (select(Case, Unit).join(Unit, Unit.id == Case.unit_id)
             .where(Case.assignee_id == person.id, Case.closed_at.is_(None), unit_filter(viewer)).order_by(Case.id))
    if lock:
        query = query.with_for_update(of=Case)
    return [(case, unit) for case, unit in session.execute(query).all()]


def _problem(session: Session, case: Case, unit: Unit, target: Unit, actor: User, receiver: User) -> Problem | None:
    """Why this case could not be handed over, or None."""
    definition = service.definition_of(session=session, case=case)
    spec = definition.events.get(REASSIGN)
    where = {"number": case.number, "unit": target.name}
    if spec is None or case.state not in spec.sources:
        state = definition.states.get(case.state)
        return Problem(case.id, case.number, unit.name, "handover_not_reassignable",
                       {**where, "state": state.label if state else case.state, "version": case.workflow_version})
    if not may_fire(actor, unit, spec):
        return Problem(case.id, case.number, unit.name, "handover_not_your_unit", where)
    if not receiver.is_active or not may_work(receiver, target):
        return Problem(case.id, case.number, unit.name, "handover_receiver_unfit",
                       {**where, "name": receiver.display_name})
    return None


def hand_over(*, session: Session, actor: User, person: User, receiver: User, reason: str,
              unit: Unit | None = None) -> list[Case]:
    """Reassign every open case of `person` that `actor` sees to `receiver` (at `unit`, or where each
    case is), each with a `reassign` event giving `reason`; returns the cases after.

    Refused with a 422 when the reason is empty or the receiver is the person; HandOverRefused
    (422, naming the cases) when any case could not be handed over; a case someone changed
    meanwhile is a 409 from `fire`, and nothing is written.
    """
    reason = clean_text(reason, field="reason", max_length=REASON_MAX)
    if receiver.id == person.id:
        raise Unprocessable("invalid_field", field="to_user_id", reason_code="handover_same_person")
    if unit is not None and not can_see(actor, unit):
        raise Unprocessable("invalid_field", field="unit_id", reason_code="no_unit_in_scope")
    cases = open_cases_of(session=session, person=person, viewer=actor, lock=True)
    problems = [p for case, case_unit in cases
                if (p := _problem(session, case, case_unit, unit or case_unit, actor, receiver)) is not None]
    if problems:
        raise HandOverRefused(problems)
    handed = []
    for case, case_unit in cases:
        fields = {"unit_id": (unit or case_unit).id, "assignee_id": receiver.id, "reason": reason}
        handed.append(service.fire(session=session, case_id=case.id, event=REASSIGN, actor=actor,
                                   version=case.version, fields=fields))
    return handed


def stranded(*, session: Session, person: User, viewer: User) -> list[Case]:
    """The person's open cases (that `viewer` sees) at units they can no longer work: after a move
    or a change of roles, these are the ones a leader should hand over."""
    return [case for case, unit in open_cases_of(session=session, person=person, viewer=viewer)
            if not may_work(person, unit)]


def open_counts(*, session: Session, viewer: User) -> dict[int, int]:
    """How many open cases each person is assigned, among the cases `viewer` sees (one GROUP BY)."""
    rows = session.execute(select(Case.assignee_id, func.count()).join(Unit, Unit.id == Case.unit_id)
                           .where(Case.assignee_id.is_not(None), Case.closed_at.is_(None), unit_filter(viewer))
                           .group_by(Case.assignee_id)).all()
    return dict(rows)
