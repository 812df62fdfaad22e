"""Factories for a small township: units, users per role, a campaign, and cases in any state."""

from __future__ import annotations

import hashlib
from datetime import date
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns import service as campaigns
from casework.campaigns.models import Campaign
from casework.cases import service as cases
from casework.cases.models import Case
from casework.evidence.models import Evidence
from casework.units import service as units
from casework.units.models import Unit
from casework.users import service as users
from casework.users.models import User

PASSWORD = "Correct-horse-battery9"
_n = count(1)


class Factory:
    """Builds the township lazily: `make.unit("village")`, `make.user("leader", "township")`, …

    The standard tree: township T → office T-OF, villages T-V1 and T-V2, a work team T-V1-T and an
    assistance officer T-V1-P under village T-V1.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._units: dict[str, Unit] = {}
        self._campaign: Campaign | None = None

    # units -----------------------------------------------------------------------------------
    CODES = {"township": "T", "office": "T-OF", "village": "T-V1", "village2": "T-V2", "work_team": "T-V1-T",
             "assistance_officer": "T-V1-P"}

    def tree(self) -> dict[str, Unit]:
        if not self._units and self.session.scalars(select(Unit).where(Unit.code == "T")).first():
            # Built by an earlier factory over the same database: reuse it.
            self._units = {name: units.by_code(session=self.session, code=code) for name, code in self.CODES.items()}
        if not self._units:
            s = self.session
            t = units.create(session=s, name="清水镇", kind="township", code="T")
            v1 = units.create(session=s, name="青山村", kind="village", parent=t, code="T-V1")
            self._units = {
                "township": t,
                "office": units.create(session=s, name="扶贫工作站", kind="office", parent=t, code="T-OF"),
                "village": v1,
                "village2": units.create(session=s, name="石桥村", kind="village", parent=t, code="T-V2"),
                "work_team": units.create(session=s, name="青山村驻村工作队", kind="work_team", parent=v1, code="T-V1-T"),
                "assistance_officer": units.create(session=s, name="帮扶责任人", kind="assistance_officer",
                                                   parent=v1, code="T-V1-P"),
            }
        return self._units

    def unit(self, name: str = "village") -> Unit:
        return self.tree()[name]

    # users -----------------------------------------------------------------------------------
    def user(self, role: str, where: str = "township", *more: tuple[str, str], username: str | None = None) -> User:
        """A user holding `role` at the named unit (and any more (role, unit name) pairs)."""
        memberships = [(self.unit(where), role)] + [(self.unit(u), r) for r, u in more]
        return users.create(session=self.session, username=username or f"{role}{next(_n)}",
                            password=PASSWORD, memberships=memberships)

    # campaigns and cases ---------------------------------------------------------------------
    def campaign(self) -> Campaign:
        if self._campaign is None:
            self._campaign = campaigns.create(session=self.session, name="大排查大整改", code=f"C{next(_n)}",
                                              starts_on=date(2026, 11, 1), leader_unit=self.unit("township"))
        return self._campaign

    def case(self, where: str = "village", *, by: User | None = None, **fields) -> Case:
        by = by or self.user("leader", "township")
        fields.setdefault("title", "扶贫手册信息漏项")
        return cases.open_case(session=self.session, actor=by, campaign_id=self.campaign().id,
                               unit_id=self.unit(where).id, **fields)

    def evidence(self, case: Case, kind: str, by: User) -> Evidence:
        content = f"{case.id}-{kind}-{next(_n)}".encode()
        row = Evidence(case_id=case.id, kind=kind, filename=f"{kind}.jpg", content_type="image/jpeg",
                       size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by.id)
        self.session.add(row)
        self.session.flush()
        return row

    def fire(self, case: Case, event: str, actor: User, **fields) -> Case:
        return cases.fire(session=self.session, case_id=case.id, event=event, actor=actor,
                          version=case.version, fields=fields)
