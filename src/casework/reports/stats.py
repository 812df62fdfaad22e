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
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.cases.models import Case
from casework.cases.queries import Calendar
from casework.reports import buckets
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
    stats, kinds = _counts(session, user, campaign_id)
    stats.days_to_verify_avg, stats.days_to_verify_p90 = _durations(session, user, campaign_id, kinds)
    stats.top_items = _top_items(session, user, campaign_id)
    stats.daily = daily_series(session=session, user=user, campaign_id=campaign_id,
                               now=now or datetime.now(ZoneInfo("UTC")))
    return stats


def _grouped(session: Session, user: User | None, campaign_id: int | None) -> list:
    """Case counts per (workflow, version, state, unit): one GROUP BY, as many rows as there are
    combinations in use — never one per case."""
    scoped = _scoped(user, campaign_id).subquery()
    return session.execute(
        select(scoped.c.workflow_key, scoped.c.workflow_version, scoped.c.state, scoped.c.unit_id,
               func.count().label("n"))
        .group_by(scoped.c.workflow_key, scoped.c.workflow_version, scoped.c.state, scoped.c.unit_id)).all()


def counts(*, session: Session, user: User | None, campaign_id: int | None = None) -> Stats:
    """The counts alone — by state, unit and village, overdue, the completion rate — in a few
    aggregate queries, whatever the number of cases."""
    return _counts(session, user, campaign_id)[0]


def _counts(session: Session, user: User | None, campaign_id: int | None) -> tuple[Stats, dict]:
    grouped = _grouped(session, user, campaign_id)
    village_of = village_units_of(session, {row.unit_id for row in grouped})
    kinds = _kinds(session, grouped)
    stats = Stats()
    by_state: Counter = Counter()
    per_unit: dict[int, Counter] = defaultdict(Counter)
    per_village: dict[tuple[int | None, str], Counter] = defaultdict(Counter)
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
    late_in_village: Counter = Counter()
    for unit_id, n in late.items():  # every unit with late cases has cases, so a village
        late_in_village[village_of[unit_id]] += n
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(per_unit))).all())
    stats.by_unit = sorted(({"unit_id": unit_id, "name": names.get(unit_id, ""), **_rates(c),
                             "overdue": late.get(unit_id, 0)} for unit_id, c in per_unit.items()),
                           key=lambda r: (-r["total"], r["unit_id"]))
    stats.by_village = sorted(({"village": village, "unit_id": village_id, **_rates(c),
                                "overdue": late_in_village[(village_id, village)]}
                               for (village_id, village), c in per_village.items()),
                              key=lambda r: (-r["total"], r["village"]))
    return stats, kinds


# Cases of units above any village (the township, its offices) are counted together.
TOWNSHIP_LEVEL = "镇级"


def villages_of(session: Session, unit_ids: set[int]) -> dict[int, str]:
    """The name of the village (村/社区) each unit lies in: itself, or its nearest village above."""
    return {unit_id: name for unit_id, (_village, name) in village_units_of(session, unit_ids).items()}


def village_units_of(session: Session, unit_ids: set[int]) -> dict[int, tuple[int | None, str]]:
    """(the village's unit id, its name) for each unit: itself, or its nearest village above;
    (None, 镇级) for units above every village."""
    if not unit_ids:
        return {}
    paths = dict(session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids))).all())
    ancestors = {int(part) for path in paths.values() for part in path.strip("/").split("/")}
    villages = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ancestors),
                                                                     Unit.kind == UnitKind.VILLAGE.value)).all())
    found = {}
    for unit_id, path in paths.items():
        chain = [int(part) for part in path.strip("/").split("/")][::-1]
        village = next((u for u in chain if u in villages), None)
        found[unit_id] = (village, villages[village]) if village is not None else (None, TOWNSHIP_LEVEL)
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


def daily_series(*, session: Session, user: User | None, campaign_id: int | None, now: datetime,
                 days: int = SERIES_DAYS) -> list[dict]:
    """For each of the last `days` local days: cases opened, closed, verified and dismissed, and the
    completion rate as it stood at the end of the day (verified ÷ not dismissed, as the workflows'
    flags say today: a case reopened since counts from when it was last closed).

    Aggregated in SQL by quarter hour (reports/buckets.py): a few statements and at most 96 rows a
    day, whatever the number of cases.
    """
    zone = ZoneInfo(session.scalar(select(Campaign.timezone).where(Campaign.id == campaign_id))) if campaign_id \
        else ZoneInfo("Asia/Shanghai")
    end = now.astimezone(zone).date()
    start = end - timedelta(days=days - 1)
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    base = _scoped(user, campaign_id).subquery()
    opened_at, closed_at = buckets.bucket(session, base.c.created_at), buckets.bucket(session, base.c.closed_at)
    opened: Counter = Counter()
    for number, n in session.execute(select(opened_at, func.count()).where(base.c.created_at >= since)
                                     .group_by(opened_at)):
        opened[buckets.start_of(number).astimezone(zone).date()] += n
    closed = session.execute(
        select(closed_at, base.c.workflow_key, base.c.workflow_version, base.c.state, func.count())
        .where(base.c.closed_at >= since).group_by(closed_at, base.c.workflow_key, base.c.workflow_version,
                                                   base.c.state)).all()
    before = session.execute(
        select(base.c.workflow_key, base.c.workflow_version, base.c.state,
               func.sum(when((base.c.closed_at < since, 1), else_=0)), func.count()).where(base.c.created_at < since)
        .group_by(base.c.workflow_key, base.c.workflow_version, base.c.state)).all()
    kinds = _kinds(session, [*(_Key(*row[1:4]) for row in closed), *(_Key(*row[:3]) for row in before)])
    shut: dict[str, Counter] = defaultdict(Counter)
    for number, key, version, state, n in closed:
        day, kind = buckets.start_of(number).astimezone(zone).date(), kinds[(key, version, state)]
        shut["closed"][day] += n
        shut[kind][day] += n
    # What stood before the window: every case opened then, and those of them closed then.
    verified = sum(int(shut_n) for key, version, state, shut_n, _ in before
                   if kinds[(key, version, state)] == "verified")
    counted = sum(n for *_, n in before) - sum(int(shut_n) for key, version, state, shut_n, _ in before
                                               if kinds[(key, version, state)] == "dismissed")
    series = []
    for i in range(days):
        day = start + timedelta(days=i)
        verified += shut["verified"][day]
        counted += opened[day] - shut["dismissed"][day]
        series.append({"date": day.isoformat(), "opened": opened[day], "closed": shut["closed"][day],
                       "verified": shut["verified"][day], "dismissed": shut["dismissed"][day],
                       "completion_rate": round(verified / counted, 4) if counted else None})
    return series


@dataclass(frozen=True)
class _Key:
    """What `_kinds` reads of a grouped row."""

    workflow_key: str
    workflow_version: int
    state: str
