"""The rectification ledger (整改台账): one row per case, as counties ask townships for it.

Rows are read from the database in batches through a server-side cursor and written as they
come — xlsxwriter in constant-memory mode, or CSV — so 100,000 rows need no more memory than 1,000.
A cell that begins with =, +, - or @ is written as text, never as a formula: the ledger travels
to other people's spreadsheets, and a finding's description is untrusted input.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from casework.campaigns.models import Campaign, InspectionItem
from casework.campaigns.zones import zone_of
from casework.cases.models import Case
from casework.cases.queries import CaseFilters, filtered, today
from casework.evidence.models import Evidence
from casework.households.models import Household
from casework.units.models import Unit
from casework.users.models import User
from casework.workflows import registry

HEADERS = ("序号", "编号", "排查项", "问题描述", "村(社区)", "责任单位", "责任人", "户主", "整改措施", "整改时限",
           "当前状态", "完成时间", "是否逾期", "佐证资料数")
# Widths in characters: Chinese text is about two of them a glyph.
WIDTHS = (6, 16, 22, 44, 12, 18, 10, 10, 40, 12, 10, 17, 8, 10)
FORMULA_STARTS = ("=", "+", "-", "@")
BATCH = 1000


@dataclass(frozen=True)
class LedgerRow:
    number: str
    item: str
    description: str
    village: str
    unit: str
    assignee: str
    household: str
    measure: str
    deadline: date | None
    state: str
    completed_at: datetime | None
    overdue: bool
    evidence_count: int


def rows(*, session: Session, user: User | None, filters: CaseFilters) -> Iterator[LedgerRow]:
    """The ledger's rows, oldest case first, read a batch at a time."""
    assignee = aliased(User)
    evidence = (select(Evidence.case_id, func.count().label("n")).where(Evidence.withdrawn_at.is_(None))
                .group_by(Evidence.case_id).subquery())
    query = (filtered(session, user, filters)
             .outerjoin(InspectionItem, InspectionItem.id == Case.item_id)
             .outerjoin(assignee, assignee.id == Case.assignee_id)
             .outerjoin(evidence, evidence.c.case_id == Case.id)
             .outerjoin(Household, Household.id == Case.household_id)
             .with_only_columns(Case.number, InspectionItem.title, Case.description, Case.title, Case.village,
                                Unit.name, assignee.display_name, Household.head_name, InspectionItem.rectification_measure,
                                Case.deadline, Case.state, Case.workflow_key, Case.workflow_version,
                                Case.closed_at, Case.campaign_id, func.coalesce(evidence.c.n, 0))
             .order_by(Case.id))
    todays: dict[int, date] = {}
    for (number, item, description, title, village, unit, assignee_name, head_name, measure, deadline, state, key, version,
         closed_at, campaign_id, evidence_count) in session.execute(query.execution_options(yield_per=BATCH)):
        definition = registry.get(session=session, key=key, version=version).definition
        if campaign_id not in todays:
            todays[campaign_id] = today(zone_of(session=session, campaign_id=campaign_id))
        spec = definition.states.get(state)
        verified = definition.is_verified(state)
        yield LedgerRow(
            # the title says what the problem is, the description the detail: both, one under the other
            number=number, item=item or "", description=f"{title}\n{description}" if description else title,
            village=village or "", unit=unit,
            assignee=assignee_name or "", household=head_name or "", measure=measure or "", deadline=deadline,
            state=spec.label if spec else state,
            completed_at=closed_at.astimezone(zone_of(session=session, campaign_id=campaign_id))
            if verified and closed_at else None,
            overdue=deadline is not None and closed_at is None and deadline < todays[campaign_id],
            evidence_count=evidence_count)


def _cells(row: LedgerRow, index: int) -> list:
    return [index, row.number, row.item, row.description, row.village, row.unit, row.assignee, row.household,
            row.measure, row.deadline, row.state, row.completed_at, "是" if row.overdue else "否", row.evidence_count]


def title_of(*, session: Session, campaign_id: int | None, scope: str, on: date) -> str:
    campaign = session.get(Campaign, campaign_id) if campaign_id else None
    return f"整改台账 — {campaign.name if campaign else '全部排查整改行动'} — {scope} — 导出于 {on.isoformat()}"


def write_xlsx(*, source: Iterator[LedgerRow], path: Path, title: str) -> int:
    """Write the ledger to `path` as xlsx (constant memory); how many rows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("整改台账")
    heading = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1, "text_wrap": True, "valign": "top"})
    text = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    late = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "font_color": "#B42318",
                            "bg_color": "#FDECEA"})
    day = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top", "border": 1})
    late_day = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top", "border": 1, "font_color": "#B42318",
                                "bg_color": "#FDECEA"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top", "border": 1})
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(2, 0)
    sheet.write_string(0, 0, title, heading)
    for column, name in enumerate(HEADERS):
        sheet.write_string(1, column, name, header)
    count = 0
    for count, row in enumerate(source, start=1):
        style, date_style = (late, late_day) if row.overdue else (text, day)
        for column, value in enumerate(_cells(row, count)):
            if value is None:
                sheet.write_blank(count + 1, column, None, style)
            elif isinstance(value, datetime):
                sheet.write_datetime(count + 1, column, value.replace(tzinfo=None), moment)
            elif isinstance(value, date):
                sheet.write_datetime(count + 1, column, datetime.combine(value, datetime.min.time()), date_style)
            elif isinstance(value, int):
                sheet.write_number(count + 1, column, value, style)
            else:
                # write_string: a description starting with "=" stays text, never a formula
                sheet.write_string(count + 1, column, value, style)
    sheet.autofilter(1, 0, max(count, 1) + 1, len(HEADERS) - 1)
    book.close()
    return count


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # A leading apostrophe is how a spreadsheet is told "this is text": never a formula.
        return "'" + value
    return str(value)


def write_csv(*, source: Iterator[LedgerRow], out: TextIO, title: str) -> int:
    """Write the ledger as CSV (UTF-8 with a BOM, so Excel opens it in Chinese); how many rows."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([title])
    writer.writerow(HEADERS)
    count = 0
    for count, row in enumerate(source, start=1):
        writer.writerow([_csv_cell(value) for value in _cells(row, count)])
    return count
