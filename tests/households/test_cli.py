"""`casework households import` and `template` as an operator runs them."""

from __future__ import annotations

import sqlite3

import openpyxl
import pytest
from click.testing import CliRunner

from casework.cli import main

from tests.households.people import as_csv, township_register
from tests.test_cli import CLEARED


@pytest.fixture
def casework(tmp_path):
    env = {name: None for name in CLEARED} | {"CASEWORK_INSTANCE_DIR": str(tmp_path), "LANG": "zh_CN.UTF-8",
                                              "CASEWORK_DATA_KEY": None}
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    assert run("units", "create", "清水镇", "--kind", "township", "--code", "QS").exit_code == 0
    for n, name in enumerate(["青山村", "石桥村"], start=1):
        made = run("units", "create", name, "--kind", "village", "--parent", "QS", "--code", f"QS-V{n:02d}")
        assert made.exit_code == 0
    return run


def test_a_register_is_previewed_then_imported(tmp_path, casework):
    rows = [r for r in township_register() if r["村(社区)"] in ("青山村", "石桥村")]
    path = tmp_path / "花名册.csv"
    path.write_bytes(as_csv(rows, encoding="gbk"))
    preview = casework("households", "import", str(path))
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.splitlines()[0].startswith("create     row     2  QS01-0001")
    assert preview.stdout.splitlines()[-1] == (f"preview: {len(rows)} row(s): {len(rows)} to create, 0 to update, "
                                               "0 unchanged; run again with --commit to import")
    done = casework("households", "import", str(path), "--commit")
    assert done.stdout.splitlines()[-1] == f"done: {len(rows)} row(s): {len(rows)} created, 0 updated, 0 unchanged"
    with sqlite3.connect(tmp_path / "casework.db") as conn:
        assert conn.execute("SELECT count(*) FROM households").fetchone() == (len(rows),)
        sealed = conn.execute("SELECT id_number_sealed FROM households").fetchall()
    assert rows[0]["身份证号"] not in str(sealed)
    assert (tmp_path / "data_key").stat().st_mode & 0o777 == 0o600
    again = casework("households", "import", str(path), "--commit")
    assert again.stdout.splitlines()[-1].endswith(f"0 created, 0 updated, {len(rows)} unchanged")


def test_a_refused_register_lists_rows_and_columns_and_exits_non_zero(tmp_path, casework):
    path = tmp_path / "bad.csv"
    path.write_bytes(as_csv([{"户编号": "A-1", "户主姓名": "王建国", "身份证号": "110105194912310021", "村(社区)": "青山村"},
                             {"户编号": "A-2", "户主姓名": "李秀英", "村(社区)": "桃源村"}]))
    result = casework("households", "import", str(path), "--commit")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "row     2  身份证号: 身份证号的校验位不对,请核对是否输错",
        "row     3  村(社区): 找不到村(社区)“桃源村”(按名称或编码查找,仅限您的范围内)",
        "花名册有 2 处错误,一户也没有导入:请按所列的行和列改正后重新导入",
    ]
    with sqlite3.connect(tmp_path / "casework.db") as conn:
        assert conn.execute("SELECT count(*) FROM households").fetchone() == (0,)


def test_the_template_lists_every_village(tmp_path, casework):
    out = tmp_path / "模板.xlsx"
    assert casework("households", "template", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert [row[:2] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)] == [
        ("QS-V01", "青山村"), ("QS-V02", "石桥村")]
