"""The numbers leaders are asked for, aggregated in SQL over the cases in the caller's scope.

Which states count as done is decided by the workflows' own flags, never by a state's name: the
completion rate (整改完成率) is the cases in a verified state (closed, not final) over the cases not
ended as unfounded (final only, like dismissed).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.cases.models import Case
from casework.cases.queries import Calendar
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter
from casework.vocabulary import UnitKind
from casework.workflows import registry

SERIES_DAYS = 60
TOP_ITEMS = 10


@dataclass
class Stats:
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    by_unit: list[dict] = field(default_factory=list)
    by_village: list[dict] = field(default_factory=list)
    overdue: int = 0
    verified: int = 0
    counted: int = 0  # everything but the dismissed
    completion_rate: float | None = None
    days_to_verify_avg: float | None = None
    days_to_verify_p90: float | None = None
    top_items: list[dict] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)


def _kinds(session: Session, rows) -> dict[tuple[str, int, str], str]:
    """(workflow, version, state) → "verified", "dismissed" or "open", by the workflow's flags."""
    found = {}
    for key, version, state in {(r.workflow_key, r.workflow_version, r.state) for r in rows}:
        definition = registry.get(session=session, key=key, version=version).definition
        spec = definition.states.get(state)
        found[(key, version, state)] = ("verified" if definition.is_verified(state)
                                        else "dismissed" if spec is not None and spec.final else "open")
    return found


def _in_scope(query: Select, user: User | None, campaign_id: int | None) -> Select:
    """Only the cases the user may see (every case for None: an operator), of one campaign or all."""
    if user is not None:
        query = query.where(unit_filter(user))
    return query.where(Case.campaign_id == campaign_id) if campaign_id else query


def _scoped(user: User | None, campaign_id: int | None) -> Select:
    return _in_scope(select(Case).join(Unit, Unit.id == Case.unit_id), user, campaign_id)


def compute(*, session: Session, user: User | None, campaign_id: int | None = None,
            now: datetime | None = None) -> Stats:
    """The numbers for the cases the user may see (every case for None), of one campaign or all."""
    scoped = _scoped(user, campaign_id).subquery()
    grouped = session.execute(
        select(scoped.c.workflow_key, scoped.c.workflow_version, scoped.c.state, scoped.c.unit_id,
               func.count().label("n"))
        .group_by(scoped.c.workflow_key, scoped.c.workflow_version, scoped.c.state, scoped.c.unit_id)).all()
    village_of = villages_of(session, {row.unit_id for row in grouped})
    kinds = _kinds(session, grouped)
    stats = Stats()
    by_state: Counter = Counter()
    per_unit: dict[int, Counter] = defaultdict(Counter)
    per_village: dict[str, Counter] = defaultdict(Counter)
    for row in grouped:
        kind = kinds[(row.workflow_key, row.workflow_version, row.state)]
        by_state[row.state] += row.n
        for bucket in (per_unit[row.unit_id], per_village[village_of[row.unit_id]]):
            bucket["total"] += row.n
            bucket[kind] += row.n
    stats.total = sum(by_state.values())
    stats.by_state = dict(sorted(by_state.items()))
    stats.verified = sum(c["verified"] for c in per_unit.values())
    stats.counted = stats.total - sum(c["dismissed"] for c in per_unit.values())
    stats.completion_rate = round(stats.verified / stats.counted, 4) if stats.counted else None
    late = _overdue_counts(session, user, campaign_id)
    stats.overdue = sum(late.values())
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(per_unit))).all())
    stats.by_unit = sorted(({"unit_id": unit_id, "name": names.get(unit_id, ""), **_rates(c),
                             "overdue": late.get(unit_id, 0)} for unit_id, c in per_unit.items()),
                           key=lambda r: (-r["total"], r["unit_id"]))
    stats.by_village = sorted(({"village": village, **_rates(c)} for village, c in per_village.items()),
                              key=lambda r: (-r["total"], r["village"]))
    stats.days_to_verify_avg, stats.days_to_verify_p90 = _durations(session, user, campaign_id, kinds)
    stats.top_items = _top_items(session, user, campaign_id)
    stats.daily = _daily(session, user, campaign_id, now or datetime.now(ZoneInfo("UTC")))
    return stats


# Cases of units above any village (the township, its offices) are counted together.
TOWNSHIP_LEVEL = "镇级"


def villages_of(session: Session, unit_ids: set[int]) -> dict[int, str]:
    """The name of the village (村/社区) each unit lies in: itself, or its nearest village above."""
    if not unit_ids:
        return {}
    paths = dict(session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids))).all())
    ancestors = {int(part) for path in paths.values() for part in path.strip("/").split("/")}
    villages = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ancestors),
                                                                     Unit.kind == UnitKind.VILLAGE.value)).all())
    found = {}
    for unit_id, path in paths.items():
        chain = [int(part) for part in path.strip("/").split("/")][::-1]
        found[unit_id] = next((villages[u] for u in chain if u in villages), TOWNSHIP_LEVEL)
    return found


def _rates(counts: Counter) -> dict:
    counted = counts["total"] - counts["dismissed"]
    return {"total": counts["total"], "verified": counts["verified"], "open": counts["open"],
            "dismissed": counts["dismissed"], "completion_rate": round(counts["verified"] / counted, 4) if counted else None}


def _overdue_counts(session: Session, user: User | None, campaign_id: int | None) -> dict[int, int]:
    query = (select(Case.unit_id, func.count()).join(Unit, Unit.id == Case.unit_id)
             .join(Campaign, Campaign.id == Case.campaign_id).where(Calendar(session).overdue()))
    return dict(session.execute(_in_scope(query, user, campaign_id).group_by(Case.unit_id)).all())


def _durations(session, user, campaign_id, kinds) -> tuple[float | None, float | None]:
    verified_states = [k for k, kind in kinds.items() if kind == "verified"]
    if not verified_states:
        return None, None
    query = (_scoped(user, campaign_id).with_only_columns(Case.created_at, Case.closed_at, Case.workflow_key,
                                                          Case.workflow_version, Case.state)
             .where(Case.closed_at.is_not(None)))
    days = sorted((closed - created).total_seconds() / 86400
                  for created, closed, key, version, state in session.execute(query)
                  if (key, version, state) in kinds and kinds[(key, version, state)] == "verified")
    if not days:
        return None, None
    p90 = days[min(len(days) - 1, int(round(0.9 * (len(days) - 1))))]
    return round(sum(days) / len(days), 2), round(p90, 2)


def _top_items(session: Session, user: User | None, campaign_id: int | None) -> list[dict]:
    query = (select(Case.item_id, InspectionItem.title, func.count().label("n"))
             .join(Unit, Unit.id == Case.unit_id).join(InspectionItem, InspectionItem.id == Case.item_id)
             .where(Case.closed_at.is_(None)))
    rows = session.execute(_in_scope(query, user, campaign_id).group_by(Case.item_id, InspectionItem.title)
                           .order_by(func.count().desc(), Case.item_id).limit(TOP_ITEMS)).all()
    return [{"item_id": item_id, "title": title, "open": n} for item_id, title, n in rows]


def _daily(session: Session, user: User | None, campaign_id: int | None, now: datetime) -> list[dict]:
    """Opened and closed per local day, for the last SERIES_DAYS days."""
    zone = ZoneInfo(session.scalar(select(Campaign.timezone).where(Campaign.id == campaign_id))) if campaign_id \
        else ZoneInfo("Asia/Shanghai")
    end = now.astimezone(zone).date()
    start = end - timedelta(days=SERIES_DAYS - 1)
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    opened: Counter = Counter()
    closed: Counter = Counter()
    base = _scoped(user, campaign_id)
    for (at,) in session.execute(base.with_only_columns(Case.created_at).where(Case.created_at >= since)):
        opened[at.astimezone(zone).date()] += 1
    for (at,) in session.execute(base.with_only_columns(Case.closed_at).where(Case.closed_at >= since)):
        closed[at.astimezone(zone).date()] += 1
    return [{"date": (start + timedelta(days=i)).isoformat(), "opened": opened[start + timedelta(days=i)],
             "closed": closed[start + timedelta(days=i)]} for i in range(SERIES_DAYS)]
