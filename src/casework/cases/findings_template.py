"""The findings template (问题清单模板): an Excel workbook people fill in and import.

Its first sheet has the headers the importer reads (required ones in red, each explained in a
comment), drop-downs of the sources and severities, and of the units and the campaign's items
listed on the third and fourth sheets; a second sheet explains each column with an example. The
first sheet itself is empty below its headers, so the template as downloaded imports cleanly.
Everything from the database is written as a string, never as a formula.
"""

from __future__ import annotations

import io

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns.models import Campaign, InspectionItem
from casework.cases import sources
from casework.cases.findings_import import LAYOUT
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter

FILENAME = "问题清单模板.xlsx"
FINDINGS_SHEET, GUIDE_SHEET, UNITS_SHEET, ITEMS_SHEET = "问题清单", "填写说明", "责任单位", "排查项"
SEVERITIES = ("一般", "较重", "严重", "低")
_WIDTHS = {"seq": 6, "item": 12, "village": 12, "unit": 20, "household": 14, "source": 12, "category": 12,
           "description": 48, "severity": 10, "deadline": 12, "title": 24}
_GUIDE = {
    "seq": ("选填。序号,仅供核对,不导入。", "1"),
    "item": ("选填。本行对应的排查项编号或名称,见“排查项”表;填了排查项,整改时限和问题类别可不填,按排查项的默认值。",
             "三.(一).1"),
    "village": ("选填。问题所在的村(社区)。", "青山村"),
    "unit": ("必填。负责整改的单位的编码或名称,见“责任单位”表;只能填你所管范围内的单位。", "T-V1"),
    "household": ("选填。涉及的帮扶对象的户编号(不要填姓名或身份证号)。", "QS01-0007"),
    "source": ("选填。问题来源,从下拉列表中选。", "市县督查"),
    "category": ("选填。问题类别;不填时取排查项所属的类别。", "产业扶贫"),
    "description": ("必填。问题描述;第一句话(到第一个句号)作为问题的标题,最长 60 字。",
                    "3户收入调查表与扶贫手册不一致。需重新核算。"),
    "severity": ("选填。严重程度:一般、较重、严重或低;不填为一般。", "一般"),
    "deadline": ("选填。整改时限,如 2026-12-15 或 12月15日;不填时按排查项的默认时限。", "2026-12-15"),
    "title": ("选填。问题标题;不填时取问题描述的第一句话。", ""),
}


def build(*, session: Session, user: User, campaign: Campaign | None) -> bytes:
    """The template, listing the units in `user`'s scope and `campaign`'s items (if one is named)."""
    units = list(session.scalars(select(Unit).where(unit_filter(user)).order_by(Unit.path)))
    items = list(session.scalars(select(InspectionItem).where(InspectionItem.campaign_id == campaign.id)
                                 .order_by(InspectionItem.id))) if campaign else []
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    text = book.add_format({"num_format": "@"})
    required = book.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#F2F2F2", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    sheet = book.add_worksheet(FINDINGS_SHEET)
    for position, column in enumerate(LAYOUT.columns):
        sheet.set_column(position, position, _WIDTHS[column.field], wrap if column.field == "description" else text)
        sheet.write_string(0, position, column.header + ("*" if column.required else ""),
                           required if column.required else optional)
        sheet.write_comment(0, position, _GUIDE[column.field][0], {"x_scale": 2})
    sheet.freeze_panes(1, 0)
    place = {column.field: position for position, column in enumerate(LAYOUT.columns)}
    last = LAYOUT.max_rows

    def choose(field: str, source, error_type: str = "warning") -> None:
        sheet.data_validation(1, place[field], last, place[field],
                              {"validate": "list", "source": source, "error_type": error_type})

    choose("severity", list(SEVERITIES))
    names = sources.every_source(session=session)
    if sum(len(n) + 1 for n in names) < 250:  # Excel's limit on a list typed into the rule
        choose("source", names)
    if units:  # a code typed instead of a name is fine too
        choose("unit", f"='{UNITS_SHEET}'!$B$2:$B${len(units) + 1}", "information")
    if items:
        choose("item", f"='{ITEMS_SHEET}'!$A$2:$A${len(items) + 1}", "information")

    guide = book.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, 22)
    guide.set_column(1, 1, 80, wrap)
    guide.set_column(2, 2, 30, wrap)
    for position, header in enumerate(("列", "填写要求(带 * 的红色表头为必填列)", "示例")):
        guide.write_string(0, position, header, optional)
    for row, column in enumerate(LAYOUT.columns, start=1):
        guide.write_string(row, 0, column.header)
        guide.write_string(row, 1, _GUIDE[column.field][0])
        guide.write_string(row, 2, _GUIDE[column.field][1])
    guide.write_string(len(LAYOUT.columns) + 2, 0, "问题来源可选")
    guide.write_string(len(LAYOUT.columns) + 2, 1, "、".join(names))

    listing = book.add_worksheet(UNITS_SHEET)
    listing.set_column(0, 0, 16, text)
    listing.set_column(1, 1, 28, text)
    listing.write_string(0, 0, "编码", optional)
    listing.write_string(0, 1, "名称", optional)
    for row, unit in enumerate(units, start=1):
        listing.write_string(row, 0, unit.code)
        listing.write_string(row, 1, unit.name)

    listed = book.add_worksheet(ITEMS_SHEET)
    listed.set_column(0, 0, 14, text)
    listed.set_column(1, 1, 40, text)
    listed.set_column(2, 2, 14, text)
    for position, header in enumerate(("编号", "排查项", "默认时限")):
        listed.write_string(0, position, header, optional)
    for row, item in enumerate(items, start=1):
        listed.write_string(row, 0, item.code or item.title)
        listed.write_string(row, 1, item.title)
        listed.write_string(row, 2, item.default_deadline.isoformat() if item.default_deadline else "")
    book.close()
    return out.getvalue()
