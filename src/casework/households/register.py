"""The household register (帮扶对象花名册) as people keep it: its columns, read by casework.tables
from an Excel workbook or a CSV file (UTF-8 with or without a BOM, or GBK)."""

from __future__ import annotations

from casework.tables import Column, Layout, Problem, Table, TableRefused, read

MAX_BYTES = 20 * 1024 * 1024  # a county's register is a few MB; pictures pasted in make it more
MAX_ROWS = 20000
REFUSED = "household_register_refused"

# In the template's order. 户编号, 户主姓名 and 村(社区) are required; the others may be left out.
LAYOUT = Layout(
    columns=(
        Column("number", "户编号", True, ("户号",)),
        Column("head_name", "户主姓名", True, ("户主",)),
        Column("id_number", "身份证号", False, ("身份证号码", "户主身份证号", "户主身份证号码")),
        Column("phone", "联系电话", False, ("电话", "手机", "手机号", "手机号码")),
        Column("village", "村(社区)", True, ("村", "社区", "村社区")),
        Column("size", "家庭人口", False, ("家庭人口数", "人口", "人口数")),
        Column("category", "户类别", False, ("类别",)),
        Column("officer", "帮扶责任人", False, ()),
    ),
    key="number", max_bytes=MAX_BYTES, max_rows=MAX_ROWS,
)
COLUMNS = LAYOUT.columns
HEADERS = LAYOUT.headers


def read_register(data: bytes) -> Table:
    """The register's rows; refused when too large, not a spreadsheet or CSV, or without the
    columns it needs."""
    return read(data, layout=LAYOUT, refused_code=REFUSED)


def refused(problems: list[Problem]) -> TableRefused:
    """The refusal of a register with these problems: nothing of it is imported."""
    return TableRefused(REFUSED, problems, LAYOUT)
