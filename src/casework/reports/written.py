"""The written report (整改情况报告): a Word document a township sends upward, which the leader edits
before it goes — the period, the numbers in prose, a table by village, and the cases still open
with why they are (the latest rejection or extension) and their deadline now."""

from __future__ import annotations

import json
from pathlib import Path

import docx
from docx.shared import Pt
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns import service as campaigns
from casework.campaigns.zones import zone_of
from casework.cases.models import Case
from casework.cases.queries import CaseFilters, filtered, today
from casework.reports.stats import compute, villages_of
from casework.trail.models import CaseEvent
from casework.users.models import User

# The events whose reason explains why a case is still open.
EXPLAINING = ("reject", "village_reject", "extend", "reopen", "reassign")
OPEN_CASES_SHOWN = 200


def _percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _still_open(session: Session, user: User, campaign_id: int) -> list[tuple[Case, str]]:
    cases = session.scalars(filtered(session, user, CaseFilters(campaign_id=campaign_id))
                            .where(Case.closed_at.is_(None)).order_by(Case.deadline, Case.id)
                            .limit(OPEN_CASES_SHOWN)).all()
    reasons: dict[int, str] = {}
    if cases:
        for case_id, payload in session.execute(
                select(CaseEvent.case_id, CaseEvent.payload).where(CaseEvent.case_id.in_([c.id for c in cases]),
                                                                  CaseEvent.event.in_(EXPLAINING))
                .order_by(CaseEvent.case_id, CaseEvent.seq)):
            reason = json.loads(payload).get("reason")
            if reason:
                reasons[case_id] = reason  # the latest wins
    return [(case, reasons.get(case.id, "")) for case in cases]


def render(*, session: Session, user: User, campaign_id: int, path: Path):
    """Write the report of the campaign (in the user's scope) to `path`; the date it is of."""
    campaign = campaigns.visible(session=session, user=user, campaign_id=campaign_id)
    on = today(zone_of(session=session, campaign_id=campaign.id))
    numbers = compute(session=session, user=user, campaign_id=campaign.id)
    document = docx.Document()
    document.styles["Normal"].font.name = "宋体"
    document.styles["Normal"].font.size = Pt(12)
    document.add_heading(f"关于{campaign.name}整改情况的报告", level=1)
    period = f"{campaign.starts_on.isoformat()} 至 {on.isoformat()}"
    document.add_paragraph(f"报告期间:{period}")
    document.add_paragraph(
        f"本次排查整改共发现问题 {numbers.total} 个,已整改销号 {numbers.verified} 个,经核实不予立项 "
        f"{numbers.total - numbers.counted} 个,整改完成率 {_percent(numbers.completion_rate)};"
        f"目前尚有 {numbers.counted - numbers.verified} 个问题正在整改,其中逾期 {numbers.overdue} 个。")
    document.add_heading("一、各村(社区)整改情况", level=2)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("村(社区)", "问题数", "已销号", "未销号", "完成率")):
        cell.text = text
    for village in numbers.by_village:
        cells = table.add_row().cells
        values = (village["village"], village["total"], village["verified"],
                  village["total"] - village["verified"] - village["dismissed"], _percent(village["completion_rate"]))
        for cell, value in zip(cells, values):
            cell.text = str(value)
    document.add_heading("二、尚未整改到位的问题", level=2)
    still = _still_open(session, user, campaign.id)
    villages = villages_of(session, {case.unit_id for case, _ in still})
    if not still:
        document.add_paragraph("无。")
    for case, reason in still:
        deadline = case.deadline.isoformat() if case.deadline else "未定"
        line = f"{case.number} {case.title}({villages[case.unit_id]}),整改时限 {deadline}"
        document.add_paragraph(line + (f";原因:{reason}" if reason else "") + "。", style="List Number")
    document.add_heading("三、下一步工作", level=2)
    document.add_paragraph("(请在此填写下一步整改工作安排。)")
    document.save(str(path))
    return on
