"""Findings in from a spreadsheet (问题清单): every row checked, all or nothing, written in bulk.

A dry run (the default) answers the row-by-row report and what would be created; a commit writes
every case, its number, its opening event and its chain in a few statements per thousand rows —
no ORM object per case — so 100,000 rows import in one request or command. One summary notice
goes out, not one per case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.campaigns.zones import zone_of
from casework.cases import projection, sources
from casework.cases.models import Case
from casework.cases.permissions import may_open
from casework.cases.service import SEVERITIES
from casework.db import utcnow
from casework.deadlines import clock
from casework.deadlines.calendar import calendar
from casework.households.models import Household
from casework.limits import CATEGORY_MAX, DESCRIPTION_MAX, EARLIEST_DATE, LATEST_DATE, TITLE_MAX, VILLAGE_MAX
from casework.outbox import service as outbox
from casework.tables import Column, Layout, Problem, TableRefused, blank, read
from casework.text import problem_with
from casework.trail.chain import GENESIS, dumps, event_hash, normalise
from casework.trail.models import CaseEvent
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import can_see, unit_filter
from casework.workflows import registry

LAYOUT = Layout(
    columns=(
        Column("seq", "序号", False),
        Column("item", "排查项", False),
        Column("village", "村(社区)", False, ("村", "社区")),
        Column("unit", "责任单位(编码或名称)", True, ("责任单位", "责任单位编码", "责任单位名称")),
        Column("household", "户编号", False, ("户号",)),
        Column("source", "问题来源", False, ("来源",)),
        Column("category", "问题类别", False, ("类别",)),
        Column("description", "问题描述", True, ("问题",)),
        Column("severity", "严重程度", False),
        Column("deadline", "整改时限", False, ("期限", "整改期限")),
        Column("title", "标题", False),
    ),
    key="description", max_bytes=50 * 1024 * 1024, max_rows=200_000)
REFUSED = "findings_refused"
IMPORTED = "findings.imported"  # the outbox topic of a committed import
# A title is the first sentence of the description, this long at most, unless a 标题 column says.
TITLE_FROM_DESCRIPTION = 60
SEVERITY_WORDS = {"低": "low", "一般": "normal", "较重": "high", "严重": "high", "高": "high", "": "normal",
                  **{s: s for s in SEVERITIES}}
BATCH = 2000
_SENTENCE = re.compile(r"[。;;!！?？\n]")
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})日?(?:前)?$")


@dataclass(frozen=True)
class Finding:
    """One row, checked: everything the case it becomes needs."""

    row: int
    unit_id: int
    item_id: int | None
    household_id: int | None
    title: str
    description: str
    village: str | None
    source: str | None
    category: str | None
    severity: str
    deadline: date | None


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    committed: bool = False
    problems: list[Problem] = field(default_factory=list)
    preview: list[Finding] = field(default_factory=list)


class _Lookups:
    """What rows refer to, looked up once per distinct value."""

    def __init__(self, session: Session, actor: User, campaign: Campaign) -> None:
        self.session, self.actor, self.campaign = session, actor, campaign
        self._units: dict[str, Unit | None] = {}
        self.items = {}
        for item in session.scalars(select(InspectionItem).where(InspectionItem.campaign_id == campaign.id)):
            self.items.setdefault(item.code or "", item)
            self.items.setdefault(item.title, item)
        self._households: dict[str, int] | None = None
        self.sources = sources.every_source(session=session)

    def unit(self, ref: str) -> Unit | None:
        if ref not in self._units:
            found = self.session.scalars(select(Unit).where(Unit.code == ref)).first() or self.session.scalars(
                select(Unit).where(Unit.name == ref, unit_filter(self.actor)).order_by(Unit.path)).first()
            self._units[ref] = found if found is not None and can_see(self.actor, found) else None
        return self._units[ref]

    def household(self, number: str) -> int | None:
        if self._households is None:
            # Read once, in one query: a county's register is ~10⁵ short rows, and a file names
            # thousands of its households.
            mine = select(Unit.id).where(unit_filter(self.actor))
            self._households = {number: id_ for number, id_ in self.session.execute(
                select(Household.number, Household.id)
                .where(or_(Household.village_id.in_(mine), Household.officer_id.in_(mine))))}
        return self._households.get(number)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code Excel turned into a number: 101.0 → "101"
    return str(value).strip()


def _date(value: Any, year: int) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    match = _MONTH_DAY.match(raw)
    if match:
        try:
            return date(year, int(match[1]), int(match[2]))
        except ValueError:
            return None
    return None


def _title_of(description: str) -> str:
    first = _SENTENCE.split(description, maxsplit=1)[0].strip() or description
    return first[:TITLE_FROM_DESCRIPTION]


def _check(row: int, cells: dict[str, Any], look: _Lookups, problems: list[Problem]) -> Finding | None:
    before = len(problems)

    def refuse(field: str, code: str, **params) -> None:
        problems.append(Problem(row, field, code, params))

    description = _text(cells.get("description"))
    if not description:
        refuse("description", "text_empty")
    elif problem_with(description):
        refuse("description", problem_with(description))
    elif len(description) > DESCRIPTION_MAX:
        refuse("description", "text_too_long", max=DESCRIPTION_MAX)
    title = _text(cells.get("title")) or _title_of(description)
    if "title" in cells and cells.get("title") is not None and problem_with(title, names=True):
        refuse("title", problem_with(title, names=True))
    if len(title) > TITLE_MAX:
        refuse("title", "text_too_long", max=TITLE_MAX)
    unit_ref = _text(cells.get("unit"))
    unit = look.unit(unit_ref) if unit_ref else None
    if not unit_ref:
        refuse("unit", "text_empty")
    elif unit is None:
        refuse("unit", "finding_unit_unknown", ref=unit_ref)
    elif not may_open(look.actor, unit)[0]:
        refuse("unit", "finding_unit_not_yours", ref=unit_ref)
    item = None
    if not blank(cells.get("item")):
        item = look.items.get(_text(cells["item"]))
        if item is None:
            refuse("item", "finding_item_unknown", ref=_text(cells["item"]))
    household_id = None
    if not blank(cells.get("household")):
        household_id = look.household(_text(cells["household"]))
        if household_id is None:
            refuse("household", "finding_household_unknown", ref=_text(cells["household"]))
    source = _text(cells.get("source")) or None
    if source is not None and source not in look.sources:
        refuse("source", "source_unknown", sources="、".join(look.sources))
    category = _text(cells.get("category")) or (item.area if item else None)
    if category and len(category) > CATEGORY_MAX:
        refuse("category", "text_too_long", max=CATEGORY_MAX)
    village = _text(cells.get("village")) or None
    if village and (len(village) > VILLAGE_MAX or problem_with(village, names=True)):
        refuse("village", "text_too_long", max=VILLAGE_MAX)
    severity = SEVERITY_WORDS.get(_text(cells.get("severity")))
    if severity is None:
        refuse("severity", "finding_severity_unknown", words="低、一般、较重、严重")
    deadline = None
    if not blank(cells.get("deadline")):
        deadline = _date(cells["deadline"], look.campaign.starts_on.year)
        if deadline is None:
            refuse("deadline", "not_a_date")
        elif not EARLIEST_DATE <= deadline <= LATEST_DATE:
            refuse("deadline", "date_out_of_range", earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
    elif item is not None:
        deadline = item.default_deadline
    if len(problems) > before:
        return None
    return Finding(row, unit.id, item.id if item else None, household_id, title, description, village, source,
                   category, severity, deadline)


def import_findings(*, session: Session, actor: User, campaign: Campaign, data: bytes, commit: bool,
                    now: datetime | None = None) -> Report:
    """Check every row of the file; with `commit` and no problem, open a case for each."""
    table = read(data, layout=LAYOUT, refused_code=REFUSED)
    look = _Lookups(session, actor, campaign)
    report, findings = Report(), []
    for row, cells in table.rows:
        report.rows += 1
        found = _check(row, cells, look, report.problems)
        if found is not None:
            findings.append(found)
    if report.problems:
        raise TableRefused(REFUSED, report.problems, LAYOUT)
    report.preview = findings[:20]
    if commit and findings:
        report.created, first_case_id = _write(session, actor, campaign, findings, now or utcnow())
        report.committed = True
        _tell(session, actor, campaign, report.created, first_case_id)
    return report


def _case_ids(session: Session, count: int) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(text("SELECT nextval(pg_get_serial_sequence('cases', 'id')) "
                                         "FROM generate_series(1, :n)"), {"n": count}))
    # SQLite: this transaction holds the database's write lock since its BEGIN, so nobody else
    # can take the ids that follow the largest one.
    start = (session.scalar(select(func.max(Case.id))) or 0) + 1
    return list(range(start, start + count))


def _write(session: Session, actor: User, campaign: Campaign, findings: list[Finding],
           now: datetime) -> tuple[int, int]:
    """Every case, its number and its opening event with its hash, in bulk; how many, and the first id."""
    last = session.execute(update(Campaign).where(Campaign.id == campaign.id)
                           .values(case_seq=Campaign.case_seq + len(findings)).returning(Campaign.case_seq)).scalar_one()
    first_seq = last - len(findings) + 1
    ids = _case_ids(session, len(findings))
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({f.unit_id for f in findings})))}
    items = {i.id: i for i in session.scalars(select(InspectionItem).where(
        InspectionItem.id.in_({f.item_id for f in findings if f.item_id})))}
    tz, work_calendar = zone_of(session=session, campaign_id=campaign.id), calendar(session=session)
    chosen: dict[tuple[str, str | None], Any] = {}
    cases, events = [], []
    for offset, (finding, case_id) in enumerate(zip(findings, ids)):
        unit = units[finding.unit_id]
        override = items[finding.item_id].workflow_key if finding.item_id else None
        if (unit.kind, override) not in chosen:
            chosen[(unit.kind, override)] = registry.choose(session=session, unit_kind=unit.kind, override=override)
        pinned = chosen[(unit.kind, override)]
        payload = normalise({
            "number": f"{campaign.code}-{campaign.starts_on.year}-{first_seq + offset:04d}",
            "campaign_id": campaign.id, "item_id": finding.item_id, "unit_id": unit.id, "assignee_id": None,
            "title": finding.title, "description": finding.description, "village": finding.village,
            "household_id": finding.household_id, "source": finding.source, "category": finding.category,
            "severity": finding.severity, "deadline": finding.deadline, "self_inspection": may_open(actor, unit)[1],
            "workflow": {"key": pinned.key, "version": pinned.version}})
        digest = event_hash(case_id=case_id, seq=1, event=projection.OPEN_EVENT, from_state=None,
                            to_state=pinned.definition.initial, actor_id=actor.id, at=now, payload=payload,
                            prev_hash=GENESIS)
        row = projection.opening(projection.Step(1, projection.OPEN_EVENT, None, pinned.definition.initial, actor.id,
                                                 now, payload, digest))
        facts = clock.Facts(deadline=row["deadline"], state=row["state"], state_since=now, escalation_level=0,
                            closed=False)
        cases.append({**row, "id": case_id, "checkpointed_count": 0,
                      "next_due_at": clock.next_look(facts, pinned.definition, tz=tz, calendar=work_calendar, now=now)})
        events.append({"case_id": case_id, "seq": 1, "event": projection.OPEN_EVENT, "from_state": None,
                       "to_state": pinned.definition.initial, "actor_id": actor.id, "at": now,
                       "payload": dumps(payload), "prev_hash": GENESIS, "hash": digest})
        if len(cases) == BATCH:
            _flush(session, cases, events)
    _flush(session, cases, events)
    return len(findings), ids[0]


def _flush(session: Session, cases: list[dict], events: list[dict]) -> None:
    if cases:
        session.execute(insert(Case), cases)
        session.execute(insert(CaseEvent), events)
        cases.clear()
        events.clear()


def _tell(session: Session, actor: User, campaign: Campaign, count: int, first_case_id: int) -> None:
    """One summary notice (notifications/imports.py), not one per case, after the commit."""
    outbox.add(session=session, topic=IMPORTED, payload={"campaign_id": campaign.id, "actor_id": actor.id,
                                                         "count": count, "first_case_id": first_case_id})

