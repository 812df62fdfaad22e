"""The daily report (整改日报): one A4 page in Chinese a township leader forwards to the county —
the numbers, a bar chart by village, and the ten most overdue cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import BinaryIO

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from casework.campaigns import service as campaigns
from casework.campaigns.models import Campaign
from casework.campaigns.zones import zone_of
from casework.cases.queries import CaseFilters, list_cases, today
from casework.closure.pdf import find_font, register_font
from casework.reports.stats import compute, villages_of
from casework.users.models import User

MOST_OVERDUE = 10
CHART_VILLAGES = 13


def most_overdue(*, session: Session, user: User, campaign_id: int, on: date) -> list[dict]:
    """The open overdue cases longest past their deadline."""
    cases, _ = list_cases(session=session, user=user, filters=CaseFilters(campaign_id=campaign_id, overdue=True),
                          sort="deadline", limit=MOST_OVERDUE, after=None)
    villages = villages_of(session, {c.unit_id for c in cases})
    return [{"number": c.number, "title": c.title, "village": villages[c.unit_id], "deadline": c.deadline,
             "days_late": (on - c.deadline).days} for c in cases]


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _chart(by_village: list[dict], font: str) -> Drawing:
    shown = by_village[:CHART_VILLAGES]
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 14 * mm, 152 * mm, 42 * mm
    chart.data = [[v["verified"] for v in shown] or [0], [v["total"] - v["verified"] - v["dismissed"] for v in shown] or [0]]
    chart.categoryAxis.categoryNames = [v["village"] for v in shown] or ["—"]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = font, 7
    chart.categoryAxis.labels.angle, chart.categoryAxis.labels.dy = 30, -4
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = font, 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor, chart.bars[1].fillColor = colors.HexColor("#2E7D32"), colors.HexColor("#E0A800")
    chart.groupSpacing = 4
    drawing.add(chart)
    drawing.add(String(130 * mm, 58 * mm, "■ 已销号   ■ 未销号", fontName=font, fontSize=8, fillColor=colors.black))
    return drawing


def render(*, session: Session, user: User, campaign_id: int, out: BinaryIO, font: str | None,
           now: datetime | None = None) -> date:
    """Write the report of the campaign (in the user's scope) to `out`; the date it is of."""
    campaign: Campaign = campaigns.visible(session=session, user=user, campaign_id=campaign_id)
    zone = zone_of(session=session, campaign_id=campaign.id)
    on = (now.astimezone(zone).date() if now else today(zone))
    numbers = compute(session=session, user=user, campaign_id=campaign.id, now=now)
    name = register_font(find_font(font))
    title = ParagraphStyle("title", fontName=name, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=name, fontSize=10, leading=15)
    cell = ParagraphStyle("cell", fontName=name, fontSize=8.5, leading=11)
    summary = (f"截至 {on.year}年{on.month}月{on.day}日,本行动共登记问题 {numbers.total} 个,已整改销号 "
               f"{numbers.verified} 个,不予立项 {numbers.total - numbers.counted} 个,整改完成率 "
               f"{_percent(numbers.completion_rate)};当前逾期未整改 {numbers.overdue} 个。")
    if numbers.days_to_verify_avg is not None:
        summary += f"已销号问题平均用时 {numbers.days_to_verify_avg:.1f} 天(90% 在 {numbers.days_to_verify_p90:.1f} 天内)。"
    late = most_overdue(session=session, user=user, campaign_id=campaign.id, on=on)
    rows = [["编号", "问题", "村(社区)", "整改时限", "逾期天数"]] + [
        [row["number"], Paragraph(row["title"], cell), row["village"], row["deadline"].isoformat(), str(row["days_late"])]
        for row in late] or [["—"] * 5]
    table = Table(rows, colWidths=[30 * mm, 80 * mm, 22 * mm, 22 * mm, 16 * mm], repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), name, 8.5), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE7F3")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                                 bottomMargin=14 * mm, invariant=1, title=f"整改日报 {on.isoformat()}")
    document.build([Paragraph(f"{campaign.name}<br/>整改日报({on.isoformat()})", title), Spacer(1, 5 * mm),
                    Paragraph(summary, body), Spacer(1, 4 * mm), Paragraph("各村(社区)整改情况", body),
                    _chart(numbers.by_village, name), Spacer(1, 3 * mm),
                    Paragraph(f"逾期最久的 {MOST_OVERDUE} 个问题", body), Spacer(1, 2 * mm), table])
    return on
