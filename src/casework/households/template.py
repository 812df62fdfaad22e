"""The register template (帮扶对象花名册模板): an Excel workbook people fill in and import.

Its first sheet has the headers the importer reads, with the ID number, phone and household
number columns formatted as text (so Excel keeps all 18 digits of an ID number), a drop-down of
categories and of the villages in the reader's scope. A second sheet explains each column, a third
lists the villages and assistance officers by code and name. Everything from the database is
written as a string, never as a formula.
"""

from __future__ import annotations

import io

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.households import categories, checks
from casework.households.register import COLUMNS, MAX_ROWS
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import unit_filter
from casework.vocabulary import UnitKind

FILENAME = "帮扶对象花名册模板.xlsx"
REGISTER_SHEET, GUIDE_SHEET, UNITS_SHEET = "花名册", "填写说明", "村和帮扶责任人"
_WIDTHS = {"number": 16, "head_name": 12, "id_number": 22, "phone": 16, "village": 14, "size": 10,
           "category": 10, "officer": 18}
_GUIDE = {
    "number": "必填。本户的编号,字母、数字和 - _ . 组成,最长 40 位;再次导入时按户编号更新该户,不会重复新建。",
    "head_name": "必填。户主姓名。",
    "id_number": "选填。户主身份证号,18 位,末位可为 X;系统核对校验位和出生日期。请保持本列为文本格式。",
    "phone": "选填。手机号(11 位)或带区号的固定电话,如 0731-12345678。",
    "village": "必填。所在村(社区)的名称或编码,见“村和帮扶责任人”表。",
    "size": f"选填。家庭人口,1 到 {checks.SIZE_MAX} 的整数。",
    "category": "选填。户类别:" + categories.choices() + "。",
    "officer": "选填。帮扶责任人的名称或编码,见“村和帮扶责任人”表。",
}


def _units(session: Session, user: User | None, kind: str) -> list[Unit]:
    query = select(Unit).where(Unit.kind == kind).order_by(Unit.path)
    if user is not None:
        query = query.where(unit_filter(user))
    return list(session.scalars(query))


def build(*, session: Session, user: User | None) -> bytes:
    """The template, listing the villages and assistance officers in `user`'s scope (None: all)."""
    villages = _units(session, user, UnitKind.VILLAGE)
    officers = _units(session, user, UnitKind.ASSISTANCE_OFFICER)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    text = book.add_format({"num_format": "@"})
    required = book.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#F2F2F2", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    sheet = book.add_worksheet(REGISTER_SHEET)
    for position, column in enumerate(COLUMNS):
        is_text = column.field in ("number", "id_number", "phone", "head_name", "village", "officer", "category")
        sheet.set_column(position, position, _WIDTHS[column.field], text if is_text else None)
        sheet.write_string(0, position, column.header, required if column.required else optional)
        sheet.write_comment(0, position, _GUIDE[column.field], {"x_scale": 2})
    sheet.freeze_panes(1, 0)
    place = {column.field: position for position, column in enumerate(COLUMNS)}
    last = MAX_ROWS
    sheet.data_validation(1, place["category"], last, place["category"], {
        "validate": "list", "source": list(categories.LABELS.values()), "error_type": "warning"})
    sheet.data_validation(1, place["size"], last, place["size"], {
        "validate": "integer", "criteria": "between", "minimum": 1, "maximum": checks.SIZE_MAX})
    if villages:
        sheet.data_validation(1, place["village"], last, place["village"], {
            "validate": "list", "source": f"='{UNITS_SHEET}'!$B$2:$B${len(villages) + 1}",
            # A code typed instead of a name is fine too.
            "error_type": "information"})

    guide = book.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, 14)
    guide.set_column(1, 1, 90, wrap)
    guide.write_string(0, 0, "列", optional)
    guide.write_string(0, 1, "填写要求(红色表头为必填列;选填的列可以整列删去,删去的列导入时不改动该项)", optional)
    for row, column in enumerate(COLUMNS, start=1):
        guide.write_string(row, 0, column.header)
        guide.write_string(row, 1, _GUIDE[column.field])

    listing = book.add_worksheet(UNITS_SHEET)
    listing.set_column(0, 0, 16, text)
    listing.set_column(1, 1, 24, text)
    listing.set_column(3, 3, 16, text)
    listing.set_column(4, 4, 24, text)
    for position, header in enumerate(("村(社区)编码", "村(社区)名称", "", "帮扶责任人编码", "帮扶责任人名称")):
        if header:
            listing.write_string(0, position, header, optional)
    for row, unit in enumerate(villages, start=1):
        listing.write_string(row, 0, unit.code)
        listing.write_string(row, 1, unit.name)
    for row, unit in enumerate(officers, start=1):
        listing.write_string(row, 3, unit.code)
        listing.write_string(row, 4, unit.name)
    book.close()
    return out.getvalue()
