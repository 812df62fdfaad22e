"""What comes out: the ledger in Excel and CSV, the numbers, the daily report and the written one."""

from __future__ import annotations

import csv
import io
import subprocess
from collections import Counter
from datetime import datetime

import docx
import openpyxl
import pytest
from sqlalchemy import select

from casework.cases.models import Case
from casework.trail.models import AccessLogEntry

from tests.web.helpers import assert_error


@pytest.fixture
def cases(runtime, town, as_):
    """Cases of both villages in several states: verified, dismissed, overdue, open."""
    leader, clerk = as_("leader"), as_("clerk")
    made = {}
    for name, unit, title, deadline in [
        ("verified", "village", "=HYPERLINK(\"http://evil\")", "2030-12-01"),
        ("dismissed", "village2", "群众反映不实", "2030-12-01"),
        ("overdue", "village", "危房改造资料缺失", "2020-01-10"),
        ("open", "village2", "-1 户信息错误", None),
        ("rectifying", "village", "@扶贫手册漏项", "2030-12-20"),
    ]:
        body = {"deadline": deadline} if deadline else {}
        made[name] = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit(unit), title=title,
                                      description=title, village="青山村" if unit == "village" else "石桥村", **body)
    for name in ("verified", "rectifying"):
        leader.fire_ok(made[name], "assign", assignee_id=town.user("clerk"))
        clerk.fire_ok(made[name], "start")
    clerk.fire_ok(made["verified"], "submit")
    leader.fire_ok(made["verified"], "verify")
    leader.fire_ok(made["dismissed"], "dismiss", reason="非建档立卡户")
    return made


def _xlsx(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return [tuple(cell.value for cell in row) for row in book.active.iter_rows()]


def test_the_ledger_opens_in_excel_with_its_values_types_and_formulas_as_text(runtime, town, as_, cases):
    response = as_("leader").get(f"/api/v1/exports/ledger.xlsx?campaign_id={town.campaign_id}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = _xlsx(response)
    assert rows[0][0].startswith("整改台账 — 大排查大整改 — 清水镇 — 导出于")
    assert rows[1] == ("序号", "编号", "排查项", "问题描述", "村(社区)", "责任单位", "责任人", "户主", "整改措施",
                       "整改时限", "当前状态", "完成时间", "是否逾期", "佐证资料数")
    by_number = {row[1]: row for row in rows[2:]}
    verified = by_number[cases["verified"]["number"]]
    assert verified[3] == '=HYPERLINK("http://evil")\n=HYPERLINK("http://evil")'  # text, not a formula
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cell = book.active.cell(row=[r[1] for r in rows].index(cases["verified"]["number"]) + 1, column=4)
    assert cell.data_type == "s"
    assert verified[6] == "clerk" and verified[10] == "已销号" and isinstance(verified[11], datetime)
    assert verified[9] == datetime(2030, 12, 1) and verified[12] == "否"
    overdue = by_number[cases["overdue"]["number"]]
    assert (overdue[12], overdue[11]) == ("是", None)
    assert by_number[cases["dismissed"]["number"]][11] is None  # dismissed: no completion time
    assert book.active.freeze_panes == "A3"
    with runtime.sessions() as session:
        assert session.scalars(select(AccessLogEntry.action).where(AccessLogEntry.action == "export.ledger")).all()


def test_a_village_user_s_ledger_holds_only_its_village(town, as_, cases):
    rows = _xlsx(as_("clerk").get("/api/v1/exports/ledger.xlsx"))
    numbers = {row[1] for row in rows[2:]}
    assert numbers == {cases[n]["number"] for n in ("verified", "overdue", "rectifying")}
    assert "青山村" in rows[0][0]


def test_the_csv_ledger_is_utf8_with_a_bom_and_formulas_stay_text(town, as_, cases):
    response = as_("leader").get("/api/v1/exports/ledger.csv?overdue=false")
    assert response.data.startswith(b"\xef\xbb\xbf") and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    descriptions = {row[3].split("\n")[0] for row in rows[2:]}
    assert "'=HYPERLINK(\"http://evil\")" in descriptions and "'-1 户信息错误" in descriptions
    assert "'@扶贫手册漏项" in descriptions
    assert cases["overdue"]["number"] not in {row[1] for row in rows[2:]}


def test_the_numbers_agree_with_a_count_of_the_cases(runtime, town, as_, cases):
    shown = as_("leader").get(f"/api/v1/stats?campaign_id={town.campaign_id}").get_json()
    with runtime.sessions() as session:
        all_cases = session.scalars(select(Case)).all()
    assert shown["total"] == len(all_cases) == 5
    assert shown["by_state"] == dict(Counter(c.state for c in all_cases))
    assert (shown["verified"], shown["counted"], shown["completion_rate"]) == (1, 4, 0.25)
    assert shown["overdue"] == 1
    villages = {v["village"]: (v["total"], v["verified"], v["dismissed"]) for v in shown["by_village"]}
    assert villages == {"青山村": (3, 1, 0), "石桥村": (2, 0, 1)}
    assert shown["days_to_verify_avg"] is not None and len(shown["daily"]) == 60
    assert shown["daily"][-1]["opened"] == 5 and shown["daily"][-1]["closed"] == 2
    clerk = as_("clerk").get("/api/v1/stats").get_json()
    assert clerk["total"] == 3  # the clerk's village only


def test_the_daily_report_holds_the_numbers(tmp_path, town, as_, cases):
    response = as_("leader").get(f"/api/v1/reports/daily.pdf?campaign_id={town.campaign_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (tmp_path / "daily.pdf").write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "daily.pdf"), "-"], capture_output=True, text=True).stdout
    squeezed = "".join(text.split())
    assert "整改日报" in squeezed and "共登记问题5个" in squeezed and "整改完成率25.0%" in squeezed
    assert cases["overdue"]["number"] in squeezed  # among the most overdue
    pages = subprocess.run(["pdfinfo", str(tmp_path / "daily.pdf")], capture_output=True, text=True).stdout
    assert "Pages:           1" in pages


def test_the_written_report_opens_in_word_with_its_table(tmp_path, town, as_, cases):
    response = as_("leader").get(f"/api/v1/reports/rectification.docx?campaign_id={town.campaign_id}")
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "整改完成率 25.0%" in text and "原因" not in text.split("二、")[0]
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells] == ["村(社区)", "问题数", "已销号", "未销号", "完成率"]
    assert {row.cells[0].text for row in table.rows[1:]} == {"青山村", "石桥村"}
    assert cases["overdue"]["number"] in text


def test_reports_of_a_campaign_outside_one_s_sight_are_not_found(town, as_, cases):
    assert_error(as_("leader").get("/api/v1/reports/daily.pdf?campaign_id=999999"), 404, "campaign_not_found")


def test_the_leaders_are_told_each_morning_once(runtime, town, as_):
    from casework.jobs import periodic
    from casework.reports.notices import announce_daily

    with runtime.transaction() as session:
        announce_daily(session=session, payload={"now": "2026-11-29T23:00:00+00:00"})
        announce_daily(session=session, payload={"now": "2026-11-29T23:30:00+00:00"})  # the same local day
    inbox = as_("leader").get("/api/v1/notifications").get_json()["items"]
    assert [n["kind"] for n in inbox] == ["daily_report"]
    assert inbox[0]["message"].startswith("大排查大整改整改日报(2026-11-30)已生成")
    task = periodic.Periodic(periodic.DAILY_REPORT, daily_at=7, zone="Asia/Shanghai")
    assert task.following(datetime.fromisoformat("2026-11-29T22:00:00+00:00")) == datetime.fromisoformat(
        "2026-11-29T23:00:00+00:00")


def test_the_ledger_names_the_household_s_head_and_nothing_more_of_them(town, as_):
    leader = as_("leader")
    household = leader.post("/api/v1/households", {"number": "QS01-0009", "head_name": "陈桂兰",
                                                   "village_id": town.unit("village"),
                                                   "id_number": "430124195608120035", "phone": "13812345678"})
    assert household.status_code == 201, household.get_json()
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="住房安全未核实",
                            household_id=household.get_json()["id"])
    rows = _xlsx(leader.get(f"/api/v1/exports/ledger.xlsx?campaign_id={town.campaign_id}"))
    [row] = [r for r in rows[2:] if r[1] == case["number"]]
    assert row[7] == "陈桂兰"
    flat = "".join(str(cell) for r in rows for cell in r)
    assert "430124" not in flat and "13812345678" not in flat
