"""The leader's dashboard: the numbers of `stats.counts`, arranged so that each one can be a link to
the case list that shows exactly those cases.

The case list's `unit_id` filter takes a unit and everything below it, so the numbers by unit are
counted the same way, over each unit's subtree; the township level (cases of units above every
village) is the one group no single filter selects. Everything is counted in a fixed number of
aggregate queries (GROUP BY), never a loop over cases: the per-unit counts are at most one row per
unit, and the subtrees are summed from them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.cases.models import Case
from casework.cases.queries import Calendar
from casework.reports import stats
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter
from casework.vocabulary import UnitKind

TREND_DAYS = 30
WORST = 8


@dataclass
class UnitRow:
    unit_id: int
    name: str
    depth: int  # below the top of the reader's scope (0: the top)
    total: int
    overdue: int
    verified: int
    dismissed: int

    @property
    def completion_rate(self) -> float | None:
        counted = self.total - self.dismissed
        return round(self.verified / counted, 4) if counted else None


@dataclass
class Dashboard:
    counts: stats.Stats
    units: list[UnitRow] = field(default_factory=list)  # in tree order
    worst_units: list[UnitRow] = field(default_factory=list)
    worst_items: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)


def _subtrees(session: Session, user: User, by_unit: list[dict]) -> list[UnitRow]:
    """Each unit's counts summed with every unit below it, for the units in the user's scope that
    have cases at or below them."""
    if not by_unit:
        return []
    own = {row["unit_id"]: row for row in by_unit}
    paths = dict(session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(own))).all())
    summed: dict[int, Counter] = {}
    for unit_id, path in paths.items():
        for ancestor in (int(part) for part in path.strip("/").split("/")):
            bucket = summed.setdefault(ancestor, Counter())
            for name in ("total", "overdue", "verified", "dismissed"):
                bucket[name] += own[unit_id][name]
    units = sorted(session.execute(select(Unit.id, Unit.name, Unit.path).where(Unit.id.in_(summed), unit_filter(user))),
                   key=lambda row: [int(part) for part in row.path.strip("/").split("/")])
    top = min(path.count("/") for _id, _name, path in units)
    return [UnitRow(unit_id, name, path.count("/") - top, **summed[unit_id]) for unit_id, name, path in units]


def _worst_units(session: Session, user: User, rows: list[UnitRow]) -> list[UnitRow]:
    """The units with most overdue cases, counted over their subtrees, leaving out those with a
    village below them (the township: its count would be everyone's)."""
    villages = session.scalars(select(Unit.path).where(unit_filter(user), Unit.kind == UnitKind.VILLAGE.value)).all()
    paths = dict(session.execute(select(Unit.id, Unit.path).where(Unit.id.in_([r.unit_id for r in rows]))).all())
    under_villages = [r for r in rows if r.overdue and not any(
        v != paths[r.unit_id] and v.startswith(paths[r.unit_id]) for v in villages)]
    return sorted(under_villages, key=lambda r: (-r.overdue, r.name))[:WORST]


def _worst_items(session: Session, user: User, campaign_id: int | None) -> list[dict]:
    """The inspection items with most overdue cases, in one GROUP BY."""
    late = func.count().label("overdue")
    query = (select(Case.item_id, InspectionItem.title, late).join(Unit, Unit.id == Case.unit_id)
             .join(Campaign, Campaign.id == Case.campaign_id).join(InspectionItem, InspectionItem.id == Case.item_id)
             .where(unit_filter(user), Calendar(session).overdue()))
    if campaign_id:
        query = query.where(Case.campaign_id == campaign_id)
    rows = session.execute(query.group_by(Case.item_id, InspectionItem.title)
                           .order_by(late.desc(), Case.item_id).limit(WORST)).all()
    return [{"item_id": item_id, "title": title, "overdue": n} for item_id, title, n in rows]


def build(*, session: Session, user: User, campaign_id: int | None = None, now: datetime | None = None) -> Dashboard:
    """The dashboard of the cases `user` sees, of one campaign or all."""
    counts = stats.counts(session=session, user=user, campaign_id=campaign_id)
    units = _subtrees(session, user, counts.by_unit)
    return Dashboard(
        counts=counts, units=units, worst_units=_worst_units(session, user, units),
        worst_items=_worst_items(session, user, campaign_id),
        trend=stats.daily_series(session=session, user=user, campaign_id=campaign_id,
                                 now=now or datetime.now(ZoneInfo("UTC")), days=TREND_DAYS))
