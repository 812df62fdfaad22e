"""Findings in from a spreadsheet (问题清单), over HTTP: a dry run first, then every row or none;
each refused row named by its row and column; the cases it opens filtered by source, category and
household; one summary notice per import."""

from __future__ import annotations

import csv
import io

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from sqlalchemy import text

from tests.web.helpers import CHINESE, POSTGRES_ONLY, assert_error

HEADERS = ["序号", "排查项", "村(社区)", "责任单位(编码或名称)", "户编号", "问题来源", "问题类别", "问题描述", "严重程度",
           "整改时限"]


def xlsx(rows, headers=HEADERS, title_row: str | None = None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    first = 0
    if title_row:
        sheet.write_string(0, 0, title_row)
        first = 1
    for col, header in enumerate(headers):
        sheet.write_string(first, col, header)
    for r, row in enumerate(rows, start=first + 1):
        for col, value in enumerate(row):
            if value is not None:
                sheet.write_string(r, col, str(value))
    book.close()
    return out.getvalue()


def as_csv(rows, headers=HEADERS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def send(api, campaign_id, data: bytes, *, commit: bool = False, filename: str = "问题清单.xlsx", **headers):
    return api.client.post("/api/v1/imports/cases", headers={**api.headers, **headers},
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), filename), "campaign_id": str(campaign_id),
                                 "commit": "true" if commit else "false"})


def count(runtime, sql: str, **params) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


@pytest.fixture
def household_id(town, as_):
    response = as_("leader").post("/api/v1/households", {"number": "QS01-0007", "head_name": "李秀英",
                                                         "village_id": town.unit("village")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


GOOD = [
    ["1", "", "青山村", "T-V1", "QS01-0007", "市县督查", "", "3户收入调查表与扶贫手册不一致。需重新核算。", "一般", "2026-12-15"],
    ["2", "", "青山村", "青山村驻村工作队", "", "暗访", "驻村帮扶", "驻村工作队员考勤记录不全", "严重", ""],
    ["3", "", "石桥村", "T-V2", "", "", "", "危房改造资料缺少验收照片", "", "12月20日"],
]


# a good file ----------------------------------------------------------------------------------

def test_a_dry_run_changes_nothing_then_the_commit_opens_every_case(runtime, town, as_, household_id):
    leader = as_("leader")
    data = xlsx(GOOD, title_row="清水镇2026年脱贫攻坚问题清单")
    preview = send(leader, town.campaign_id, data)
    assert preview.status_code == 200, preview.get_json()
    shown = preview.get_json()
    assert (shown["committed"], shown["rows"], shown["created"]) == (False, 3, 0)
    first = shown["preview"][0]
    assert first["row"] == 3 and first["title"] == "3户收入调查表与扶贫手册不一致"  # the first sentence
    assert first["household_id"] == household_id and first["deadline"] == "2026-12-15"
    assert count(runtime, "SELECT count(*) FROM cases") == 0

    done = send(leader, town.campaign_id, data, commit=True).get_json()
    assert (done["committed"], done["created"]) == (True, 3)
    cases = leader.get(f"/api/v1/cases?campaign_id={town.campaign_id}&sort=number").get_json()["items"]
    assert [c["village"] for c in cases] == ["青山村", "青山村", "石桥村"]
    assert [c["severity"] for c in cases] == ["normal", "high", "normal"]
    assert cases[0]["description"] == "3户收入调查表与扶贫手册不一致。需重新核算。"
    assert cases[1]["unit_id"] == town.unit("work_team") and cases[1]["category"] == "驻村帮扶"
    assert cases[2]["deadline"].endswith("-12-20") and cases[2]["source"] is None
    assert {c["state"] for c in cases} == {"found"}
    numbers = [c["number"] for c in cases]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    # each opened case's record holds up, and the next case opened by hand numbers on from them
    for case in cases:
        assert leader.get(f"/api/v1/cases/{case['id']}/verify").get_json()["ok"] is True
    by_hand = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    assert by_hand["number"] > numbers[-1] and by_hand["id"] > max(c["id"] for c in cases)


def test_the_opened_cases_filter_by_source_category_and_household(town, as_, household_id):
    leader = as_("leader")
    send(leader, town.campaign_id, xlsx(GOOD), commit=True)

    def titles(query: str) -> list[str]:
        response = leader.get(f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.get_json()
        return [c["title"] for c in response.get_json()["items"]]

    assert titles("source=暗访") == ["驻村工作队员考勤记录不全"]
    assert titles("category=驻村帮扶") == ["驻村工作队员考勤记录不全"]
    assert titles(f"household_id={household_id}") == ["3户收入调查表与扶贫手册不一致"]
    assert titles("source=自查") == []
    # a household outside one's scope matches nothing, as an unknown one would
    assert as_("outsider").get(f"/api/v1/cases?household_id={household_id}").get_json()["items"] == []


def test_one_summary_notice_goes_to_the_leaders_not_one_per_case(runtime, town, as_):
    send(as_("leader"), town.campaign_id, xlsx(GOOD[1:]), commit=True)
    runtime.jobs.run_pending()  # the notice is a job's work, after the commit
    assert count(runtime, "SELECT count(*) FROM notifications WHERE kind = 'import_summary' AND user_id = :u",
                 u=town.user("leader")) == 1
    inbox = as_("leader").get("/api/v1/notifications").get_json()["items"]
    summary = next(n for n in inbox if n["kind"] == "import_summary")
    assert "2" in summary["message"] and CHINESE.search(summary["message"])
    assert count(runtime, "SELECT count(*) FROM notifications WHERE kind <> 'import_summary'") == 0


def test_gbk_and_bom_csv_files_read_as_excel_saves_them(runtime, town, as_):
    leader = as_("leader")
    rows = [["1", "", "青山村", "T-V1", "", "自查", "", "低保户名单未公示", "一般", ""]]
    for encoding in ("gbk", "utf-8-sig"):
        response = send(leader, town.campaign_id, as_csv(rows, encoding=encoding), filename="问题清单.csv")
        assert response.status_code == 200, (encoding, response.get_json())
        assert response.get_json()["preview"][0]["title"] == "低保户名单未公示"


def test_a_cell_that_looks_like_a_formula_is_kept_as_text(town, as_):
    leader = as_("leader")
    formula = '=HYPERLINK("http://x.example/","点击")'
    rows = [["1", "", "青山村", "T-V1", "", "", "", formula, "", ""]]
    send(leader, town.campaign_id, as_csv(rows), filename="问题清单.csv", commit=True)
    [case] = leader.get("/api/v1/cases").get_json()["items"]
    assert case["description"] == formula


def test_the_template_explains_each_column_and_lists_what_the_cells_may_name(town, as_):
    leader = as_("leader")
    leader.post(f"/api/v1/campaigns/{town.campaign_id}/items", {"code": "三.(一).1", "title": "贫困户增收情况排查"})
    response = leader.get(f"/api/v1/imports/cases/template.xlsx?campaign_id={town.campaign_id}")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.data))
    assert book.sheet_names == ["问题清单", "填写说明", "责任单位", "排查项"]
    sheet = book.get_sheet_by_name("问题清单").to_python()
    assert sheet[0][:4] == ["序号", "排查项", "村(社区)", "责任单位(编码或名称)*"] and "问题描述*" in sheet[0]
    guide = book.get_sheet_by_name("填写说明").to_python()
    assert [row[0] for row in guide[1:len(sheet[0]) + 1]] == [h.rstrip("*") for h in sheet[0]]
    assert all(row[1].startswith(("必填", "选填")) for row in guide[1:len(sheet[0]) + 1])
    assert ["T-V1", "青山村"] in book.get_sheet_by_name("责任单位").to_python()
    assert book.get_sheet_by_name("排查项").to_python()[1][:2] == ["三.(一).1", "贫困户增收情况排查"]
    # the template as downloaded imports cleanly (no example row to trip over)
    imported = send(leader, town.campaign_id, response.data)
    assert imported.status_code == 200 and imported.get_json()["rows"] == 0


# refused files --------------------------------------------------------------------------------

BAD = [
    # (row as written, the column named, the code)
    (["1", "", "青山村", "T-V9", "", "", "", "无此单位", "", ""], "责任单位(编码或名称)", "finding_unit_unknown"),
    (["2", "九.(九).9", "青山村", "T-V1", "", "", "", "无此排查项", "", ""], "排查项", "finding_item_unknown"),
    (["3", "", "青山村", "T-V1", "QS99-9999", "", "", "无此户", "", ""], "户编号", "finding_household_unknown"),
    (["4", "", "青山村", "T-V1", "", "小道消息", "", "来源不在清单上", "", ""], "问题来源", "source_unknown"),
    (["5", "", "青山村", "T-V1", "", "", "", "严重程度写错", "很急", ""], "严重程度", "finding_severity_unknown"),
    (["6", "", "青山村", "T-V1", "", "", "", "日期写错", "", "下周"], "整改时限", "not_a_date"),
    (["7", "", "青山村", "T-V1", "", "", "", "", "", ""], "问题描述", "text_empty"),
    (["8", "", "青山村", "", "", "", "", "没写责任单位", "", ""], "责任单位(编码或名称)", "text_empty"),
]


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_opened(runtime, town, as_):
    good = ["0", "", "青山村", "T-V1", "", "", "", "这一行没问题", "", ""]
    data = xlsx([good] + [row for row, _column, _code in BAD])
    response = send(as_("leader"), town.campaign_id, data, commit=True)
    assert_error(response, 422, "findings_refused")
    details = response.get_json()["error"]["details"]
    assert details["count"] == len(BAD)
    got = [(p["row"], p["column"], p["code"]) for p in details["problems"]]
    assert got == [(row, column, code) for row, (_cells, column, code) in enumerate(BAD, start=3)]
    for problem in details["problems"]:
        assert CHINESE.search(problem["message"]), problem
    unknown_source = next(p for p in details["problems"] if p["code"] == "source_unknown")
    assert "省考核反馈" in unknown_source["message"]  # it says what would do
    assert count(runtime, "SELECT count(*) FROM cases") == 0


def test_a_unit_outside_the_importer_s_scope_is_refused_as_unknown(runtime, town, as_):
    rows = [["1", "", "青山村", "T-V1", "", "", "", "本村问题", "", ""]]
    response = send(as_("outsider"), town.campaign_id, xlsx(rows), commit=True)
    assert_error(response, 422, "findings_refused")
    assert response.get_json()["error"]["details"]["problems"][0]["code"] == "finding_unit_unknown"
    assert count(runtime, "SELECT count(*) FROM cases") == 0


@POSTGRES_ONLY
def test_a_file_without_its_required_columns_names_them(town, as_):
    response = send(as_("leader"), town.campaign_id, xlsx([["1", "x"]], headers=["序号", "问题描述"]))
    assert_error(response, 422, "findings_refused")
    [problem] = response.get_json()["error"]["details"]["problems"]
    assert (problem["code"], problem["column"]) == ("table_column_missing", "责任单位(编码或名称)")


@POSTGRES_ONLY
def test_a_file_with_no_findings_header_says_what_it_looked_for(town, as_):
    response = send(as_("leader"), town.campaign_id, xlsx([["a", "b"]], headers=["姓名", "电话"]))
    assert_error(response, 422, "findings_refused")
    assert "问题描述" in response.get_json()["error"]["details"]["problems"][0]["message"]


@POSTGRES_ONLY
def test_a_file_that_is_no_spreadsheet_is_refused_by_its_content(town, as_):
    response = send(as_("leader"), town.campaign_id, b"%PDF-1.7\n" + b"\0" * 200, filename="问题清单.xlsx")
    assert_error(response, 415, "table_type")


@POSTGRES_ONLY
def test_an_unknown_campaign_is_not_found_and_a_missing_file_is_named(town, as_):
    leader = as_("leader")
    assert_error(send(leader, 999999, xlsx(GOOD)), 404, "campaign_not_found")
    response = leader.client.post("/api/v1/imports/cases", headers=leader.headers, content_type="multipart/form-data",
                                  data={"campaign_id": str(town.campaign_id)})
    assert response.status_code == 422


@POSTGRES_ONLY
def test_ten_thousand_rows_import_in_one_request(runtime, town, as_):
    rows = [[str(n), "", "青山村", "T-V1" if n % 2 else "T-V2", "", "自查", "村务公开", f"第{n}条问题:公示栏未更新", "", "2026-12-31"]
            for n in range(1, 10_001)]
    response = send(as_("leader"), town.campaign_id, xlsx(rows), commit=True)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 10_000
    assert count(runtime, "SELECT count(*) FROM cases") == 10_000
    assert count(runtime, "SELECT count(DISTINCT number) FROM cases") == 10_000
    assert count(runtime, "SELECT count(*) FROM case_events WHERE seq = 1") == 10_000
    assert count(runtime, "SELECT count(*) FROM cases WHERE next_due_at IS NULL") == 0
    last = as_("leader").get("/api/v1/cases?sort=-created_at&limit=1").get_json()["items"][0]
    assert as_("leader").get(f"/api/v1/cases/{last['id']}/verify").get_json()["ok"] is True


# sources ---------------------------------------------------------------------------------------

@POSTGRES_ONLY
def test_the_sources_list_grows_by_an_admin_over_everything(town, as_):
    listed = as_("clerk").get("/api/v1/sources").get_json()["items"]
    assert listed[:3] == ["省考核反馈", "市县督查", "暗访"]
    added = as_("admin").post("/api/v1/sources", {"name": "媒体曝光"})
    assert added.status_code == 201 and added.get_json()["items"][-1] == "媒体曝光"
    assert_error(as_("admin").post("/api/v1/sources", {"name": "媒体曝光"}), 409, "duplicate")
    assert as_("leader").post("/api/v1/sources", {"name": "巡视"}).status_code == 403
    case = as_("leader").open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), source="媒体曝光")
    assert case["source"] == "媒体曝光"


@POSTGRES_ONLY
def test_a_case_opened_by_hand_refuses_an_unknown_source_or_household(town, as_):
    leader = as_("leader")
    base = {"campaign_id": town.campaign_id, "unit_id": town.unit("village"), "title": "资料缺失"}
    assert_error(leader.post("/api/v1/cases", {**base, "source": "小道消息"}), 422, "invalid_field")
    assert_error(leader.post("/api/v1/cases", {**base, "household_id": 999999}), 404, "household_not_found")
