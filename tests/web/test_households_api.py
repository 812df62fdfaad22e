"""Households over HTTP: personal data masked for unit staff and in every list, in full only to
leaders and auditors reading one household (and then on the access log), encrypted at rest, found
by its exact ID number or phone; registering one, and the register import."""

from __future__ import annotations

import hashlib
import io
import json

import openpyxl
import pytest
from sqlalchemy import text

from casework.demo import VILLAGES
from casework.households.checks import mask

from tests.households.people import as_csv, as_xlsx, township_register
from tests.web.helpers import Api, assert_error, factory_for

ID_1, PHONE_1 = "430124195608120035", "13812345678"
ID_2 = "11010519491231002X"


def household(api: Api, town, number: str = "QS01-0001", *, village: str = "village", **fields) -> dict:
    body = {"number": number, "head_name": "王建国", "village_id": town.unit(village), **fields}
    response = api.post("/api/v1/households", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def register(api: Api, data: bytes, *, commit: bool = False, filename: str = "花名册.xlsx", **headers):
    return api.client.post("/api/v1/imports/households", headers={**api.headers, **headers},
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), filename), "commit": "true" if commit else "false"})


def count(runtime, sql: str, **params) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


@pytest.fixture
def registered(town, as_):
    """A household of village T-V1 with an ID number, a phone and the village's assistance officer."""
    return household(as_("leader"), town, id_number=ID_1, phone=PHONE_1, size=4, category="lifted",
                     officer_id=town.unit("assistance_officer"))


# reading: masked, or in full for leaders and auditors -----------------------------------------

def test_unit_staff_and_lists_see_personal_data_masked(town, as_, registered):
    assert registered["id_number"] == "**************0035" and registered["phone"] == "*******5678"
    assert registered["personal_data"] == "masked"
    for name in ("clerk", "village_leader", "leader", "auditor", "admin", "officer", "both"):
        shown = as_(name).get(f"/api/v1/households/{registered['id']}").get_json()
        assert (shown["id_number"], shown["phone"], shown["personal_data"]) == (mask(ID_1), mask(PHONE_1), "masked")
        listed = as_(name).get("/api/v1/households").get_json()["items"]
        assert [(h["id_number"], h["phone"]) for h in listed] == [(mask(ID_1), mask(PHONE_1))], name
    shown = as_("clerk").get(f"/api/v1/households/{registered['id']}").get_json()
    assert shown["village"]["code"] == "T-V1" and shown["officer"]["code"] == "T-V1-P"
    assert (shown["size"], shown["category"], shown["category_label"]) == (4, "lifted", "脱贫户")


@pytest.mark.parametrize("name", ["village_leader", "leader", "auditor"])
def test_leaders_and_auditors_over_the_village_read_one_household_in_full(town, as_, registered, name):
    response = as_(name).get(f"/api/v1/households/{registered['id']}?full=1")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = response.get_json()
    assert (shown["id_number"], shown["phone"], shown["personal_data"]) == (ID_1, PHONE_1, "full")


# Someone who is neither leader nor auditor anywhere is refused before scope is looked at (as a
# rule would refuse them); a leader elsewhere learns only that there is no such household.
@pytest.mark.parametrize(("name", "status"), [("clerk", 403), ("officer", 403), ("admin", 403),
                                              ("team_member", 403), ("outsider", 404)])
def test_nobody_else_reads_it_in_full(town, as_, registered, name, status):
    response = as_(name).get(f"/api/v1/households/{registered['id']}?full=1")
    assert_error(response, status, "household_full_forbidden" if status == 403 else "household_not_found")


def test_outside_one_s_scope_a_household_is_not_found(town, as_, registered):
    for name in ("outsider", "team_member"):
        assert_error(as_(name).get(f"/api/v1/households/{registered['id']}"), 404, "household_not_found")
        assert as_(name).get("/api/v1/households").get_json()["items"] == []


def test_the_assistance_officer_sees_the_households_they_help(town, as_, registered):
    household(as_("leader"), town, "QS01-0002")  # no officer: not theirs
    items = as_("officer").get("/api/v1/households").get_json()["items"]
    assert [h["number"] for h in items] == ["QS01-0001"]


def test_a_full_read_is_on_the_access_log_and_a_masked_read_is_not(runtime, town, as_, registered):
    as_("clerk").get(f"/api/v1/households/{registered['id']}")
    as_("leader").get(f"/api/v1/households/{registered['id']}")
    assert count(runtime, "SELECT count(*) FROM access_log WHERE action = 'household.read_full'") == 0
    as_("village_leader").get(f"/api/v1/households/{registered['id']}?full=1")
    as_("clerk").get(f"/api/v1/households/{registered['id']}?full=1")  # refused: not recorded as a read
    log = as_("auditor").get("/api/v1/audit/access-log?action=household.read_full").get_json()["items"]
    assert len(log) == 1
    assert log[0]["actor_id"] == town.user("village_leader")
    assert (log[0]["target_type"], log[0]["target_id"]) == ("household", registered["id"])
    assert log[0]["address"] == "127.0.0.1"
    assert ID_1 not in json.dumps(log, ensure_ascii=False) and PHONE_1 not in json.dumps(log)
    as_("auditor").get(f"/api/v1/households/{registered['id']}?full=1")
    assert count(runtime, "SELECT count(*) FROM access_log WHERE action = 'household.read_full'") == 2


def test_personal_data_never_enters_the_case_chains(runtime, town, as_, registered):
    as_("leader").get(f"/api/v1/households/{registered['id']}?full=1")
    with runtime.engine.connect() as conn:
        payloads = [row[0] for row in conn.execute(text("SELECT payload FROM case_events"))]
        admin_log = [row[0] for row in conn.execute(text("SELECT payload FROM admin_log"))]
    assert not [p for p in payloads + admin_log if ID_1 in p or PHONE_1 in p]


# at rest ------------------------------------------------------------------------------------

def test_the_database_holds_no_id_number_or_phone_digits(runtime, town, as_, registered):
    created = as_("leader").post("/api/v1/households", {
        "number": "QS01-0002", "head_name": "李秀英", "village_id": town.unit("village"), "id_number": ID_2.lower(),
        "phone": "0731-84567890"}, headers={"Idempotency-Key": "register-li"})
    assert created.status_code == 201
    with runtime.engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(text("SELECT * FROM households"))]
        stored_answers = " ".join(str(row) for row in conn.execute(text("SELECT * FROM idempotency_keys")))
    everything = " ".join(str(value) for row in rows for value in row.values())
    sealed = " ".join(str(row[column]) for row in rows for column in ("id_number_sealed", "phone_sealed"))
    for secret in (ID_1, PHONE_1, ID_2, "0731-84567890", "84567890", "19560812", "19491231"):
        assert secret not in everything and secret not in stored_answers, secret
    for last_four in ("0035", "5678", "002X", "7890"):
        assert last_four not in sealed, last_four
    first = {row["number"]: row for row in rows}["QS01-0001"]
    assert first["id_number_index"] != hashlib.sha256(ID_1.encode()).hexdigest()  # keyed, not a plain hash
    # What an operator sees with SQL is noise; what the API shows a leader is the number.
    assert as_("leader").get(f"/api/v1/households/{first['id']}?full=1").get_json()["id_number"] == ID_1


# finding ------------------------------------------------------------------------------------

def test_an_exact_id_number_or_phone_finds_the_household(town, as_, registered):
    household(as_("leader"), town, "QS01-0002", id_number=ID_2, phone="0731-84567890")
    household(as_("leader"), town, "QS02-0001", village="village2", phone="13912345678")
    clerk = as_("clerk")

    def found(**query) -> list[str]:
        response = clerk.get("/api/v1/households", query_string=query)
        assert response.status_code == 200, response.get_json()
        return [h["number"] for h in response.get_json()["items"]]

    assert found(id_number=ID_1) == ["QS01-0001"]
    assert found(id_number="11010519491231002x") == ["QS01-0002"]  # typed with a small x
    assert found(phone="138 1234 5678") == ["QS01-0001"]
    assert found(phone="(0731)84567890") == ["QS01-0002"]
    assert found(phone="13912345678") == []  # a household of 石桥村, outside the clerk's scope
    assert found(id_number="110101199003074477") == []  # valid, registered nowhere
    bad = assert_error(clerk.get("/api/v1/households", query_string={"id_number": "110105194912310021"}),
                       422, "invalid_field")
    assert bad["details"]["field"] == "id_number" and "校验位" in bad["message"]
    assert_error(clerk.get("/api/v1/households", query_string={"phone": "12345"}), 422, "invalid_field")


def test_lists_filter_and_page(town, as_):
    leader = as_("leader")
    for n in range(7):
        household(leader, town, f"QS01-{n:04d}", head_name=f"李{n}", category="monitored" if n % 2 else "lifted")
    household(leader, town, "QS02-0001", village="village2", head_name="张三")
    seen, cursor = [], None
    while True:
        page = leader.get("/api/v1/households", query_string={"limit": 3, **({"cursor": cursor} if cursor else {})})
        body = page.get_json()
        seen += [h["number"] for h in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"QS01-{n:04d}" for n in range(7)] + ["QS02-0001"]

    def numbers(**query) -> list[str]:
        return [h["number"] for h in leader.get("/api/v1/households", query_string=query).get_json()["items"]]

    assert numbers(unit_id=town.unit("village2")) == ["QS02-0001"]
    assert len(numbers(unit_id=town.unit("township"))) == 8
    assert numbers(category="monitored") == ["QS01-0001", "QS01-0003", "QS01-0005"]
    assert numbers(q="张") == ["QS02-0001"]
    assert numbers(number="QS01-0004") == ["QS01-0004"]
    assert numbers(unit_id=2147483647) == []
    first = leader.get("/api/v1/households", query_string={"limit": 3}).get_json()["next_cursor"]
    assert_error(leader.get("/api/v1/households", query_string={"limit": 3, "cursor": first, "category": "lifted"}),
                 400, "bad_cursor")


# registering one ----------------------------------------------------------------------------

def test_registering_one_household_checks_what_it_is_given(town, as_, registered):
    leader = as_("leader")
    assert_error(leader.post("/api/v1/households", {"number": "QS01-0001", "head_name": "张三",
                                                    "village_id": town.unit("village")}), 409,
                 "household_number_exists")
    assert_error(leader.post("/api/v1/households", {"number": "QS01-0009", "head_name": "张三",
                                                    "village_id": town.unit("village"), "id_number": ID_1}), 409,
                 "id_number_taken")
    wrong = assert_error(leader.post("/api/v1/households", {"number": "QS01-0009", "head_name": "张三",
                                                            "village_id": town.unit("village"),
                                                            "id_number": "430124195602300035"}), 422, "invalid_field")
    assert wrong["details"]["reason_code"] == "id_number_birth_date"
    team = assert_error(leader.post("/api/v1/households", {"number": "QS01-0009", "head_name": "张三",
                                                           "village_id": town.unit("work_team")}), 422)
    assert team["details"]["reason_code"] == "unit_not_village"
    assert_error(as_("outsider").post("/api/v1/households", {"number": "QS01-0009", "head_name": "张三",
                                                             "village_id": town.unit("village")}), 404,
                 "unit_not_found")
    assert_error(as_("clerk").post("/api/v1/households", {"number": "QS01-0009", "head_name": "张三",
                                                          "village_id": town.unit("village")}), 403, "forbidden")
    made = household(as_("admin"), town, "QS01-0009", phone="+86 139 1234 5678")
    assert made["phone"] == "*******5678"
    english = leader.post("/api/v1/households", {"number": "QS01-0010", "head_name": "张三", "phone": "123",
                                                 "village_id": town.unit("village")},
                          headers={"Accept-Language": "en"})
    assert "area code" in assert_error(english, 422, "invalid_field")["message"]


# the register -------------------------------------------------------------------------------

@pytest.fixture
def thirteen_villages(runtime, town) -> dict[str, str]:
    """The demo's 13 villages: 青山村 and 石桥村 of the test town, and eleven more. Name → code."""
    codes = {VILLAGES[0]: "T-V1", VILLAGES[1]: "T-V2"}
    with runtime.transaction() as session:
        make = factory_for(session, town)
        from casework.units import service as units

        for n, name in enumerate(VILLAGES[2:], start=3):
            codes[name] = units.create(session=session, name=name, kind="village", parent=make.unit("township"),
                                       code=f"T-V{n:02d}").code
    return codes


def test_a_406_household_register_previews_imports_and_imports_again_unchanged(runtime, town, as_,
                                                                               thirteen_villages):
    rows = township_register(village_codes=thirteen_villages, officer="T-V1-P")
    data = as_xlsx(rows, title="清水镇帮扶对象花名册")
    leader = as_("leader")
    preview = register(leader, data)
    assert preview.status_code == 200, preview.get_json()
    report = preview.get_json()
    assert (report["committed"], report["rows"], report["created"], report["updated"]) == (False, 406, 406, 0)
    assert report["items"][0] == {"row": 3, "number": "QS01-0001", "head_name": rows[0]["户主姓名"], "village": "青山村",
                                  "action": "create", "changes": [], "household_id": None}
    assert count(runtime, "SELECT count(*) FROM households") == 0

    committed = register(leader, data, commit=True).get_json()
    assert (committed["committed"], committed["created"]) == (True, 406)
    assert count(runtime, "SELECT count(*) FROM households") == 406
    assert count(runtime, "SELECT sum(size) FROM households") == 1403
    assert count(runtime, "SELECT count(DISTINCT village_id) FROM households") == 13
    assert count(runtime, "SELECT count(*) FROM households WHERE officer_id IS NOT NULL") == 32
    qingshan = leader.get("/api/v1/households", query_string={"unit_id": town.unit("village"), "limit": 200})
    assert len(qingshan.get_json()["items"]) == 32
    landline = next(r for r in rows if r["联系电话"].startswith("0731"))
    found = leader.get("/api/v1/households", query_string={"phone": landline["联系电话"]}).get_json()["items"]
    assert [h["number"] for h in found] == [landline["户编号"]]
    entry = as_("auditor").get("/api/v1/audit/access-log?action=household.import").get_json()["items"][0]
    assert entry["detail"] == {"sha256": hashlib.sha256(data).hexdigest(), "rows": 406, "created": 406, "updated": 0}

    again = register(leader, data, commit=True).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 406)
    assert count(runtime, "SELECT count(*) FROM households") == 406


def test_re_importing_by_number_updates_and_creates_nothing_twice(runtime, town, as_):
    leader = as_("leader")
    rows = [{"户编号": "QS01-0001", "户主姓名": "王建国", "身份证号": ID_1, "联系电话": PHONE_1, "村(社区)": "青山村",
             "家庭人口": "4", "户类别": "脱贫户", "帮扶责任人": "T-V1-P"},
            {"户编号": "QS01-0002", "户主姓名": "李秀英", "身份证号": ID_2, "联系电话": "", "村(社区)": "T-V1",
             "家庭人口": "2", "户类别": "低保户", "帮扶责任人": ""}]
    assert register(leader, as_csv(rows), commit=True, filename="a.csv").get_json()["created"] == 2
    rows[0] |= {"户主姓名": "王建军", "联系电话": "13987654321"}
    rows.append({"户编号": "QS02-0001", "户主姓名": "张三", "村(社区)": "石桥村", "家庭人口": "3"})
    report = register(leader, as_csv(rows), commit=True, filename="a.csv").get_json()
    assert [(i["number"], i["action"]) for i in report["items"]] == [
        ("QS01-0001", "update"), ("QS01-0002", "unchanged"), ("QS02-0001", "create")]
    assert [c["column"] for c in report["items"][0]["changes"]] == ["户主姓名", "联系电话"]
    assert count(runtime, "SELECT count(*) FROM households") == 3
    first = report["items"][0]["household_id"]
    shown = leader.get(f"/api/v1/households/{first}?full=1").get_json()
    assert (shown["head_name"], shown["phone"], shown["id_number"]) == ("王建军", "13987654321", ID_1)

    # A column left out changes nothing; an empty cell in a column that is there clears the field.
    only = as_csv([{"户编号": "QS01-0001", "户主姓名": "王建军", "村(社区)": "青山村", "联系电话": ""}],
                  headers=("户编号", "户主姓名", "村(社区)", "联系电话"))
    report = register(leader, only, commit=True, filename="b.csv").get_json()
    assert [c["field"] for c in report["items"][0]["changes"]] == ["phone"]
    shown = leader.get(f"/api/v1/households/{first}?full=1").get_json()
    assert (shown["phone"], shown["id_number"], shown["size"], shown["officer"]["code"]) == (None, ID_1, 4, "T-V1-P")


def test_a_bad_register_imports_nothing_and_says_which_rows_and_columns(runtime, town, as_, registered):
    good = {"户主姓名": "张三", "村(社区)": "青山村"}
    rows = [
        {"户编号": "B-01", **good, "村(社区)": "不存在村"},  # 3
        {"户编号": "B-02", **good, "身份证号": "110105194912310021"},  # 4: check digit
        {"户编号": "B-03", **good, "联系电话": "1381234567"},  # 5
        {"户编号": "B-04", **good, "家庭人口": "0"},  # 6
        {"户编号": "B-05", **good, "户类别": "富裕户"},  # 7
        {"户编号": "B-06", **good},  # 8
        {"户编号": "B-06", **good},  # 9: the same number again
        {"户编号": "B-08", **good, "户主姓名": ""},  # 10
        {"户编号": "B-09", **good, "身份证号": ID_1},  # 11: 王建国's, of household QS01-0001
        {"户编号": "B-10", **good, "身份证号": ID_2},  # 12
        {"户编号": "B-11", **good, "身份证号": ID_2.lower()},  # 13: the same ID number again
        {"户编号": "B-12", **good, "帮扶责任人": "无此人"},  # 14
        {"户编号": "B-13", **good, "村(社区)": "石桥村"},  # 15: outside the village leader's scope
        {"户编号": "B 14", **good},  # 16
    ]
    data = as_xlsx(rows, title="青山村花名册")
    response = register(as_("village_leader"), data, commit=True)
    error = assert_error(response, 422, "household_register_refused")
    found = [(p["row"], p["column"], p["code"]) for p in error["details"]["problems"]]
    assert found == [
        (3, "村(社区)", "register_village_unknown"),
        (4, "身份证号", "id_number_check_digit"),
        (5, "联系电话", "phone_invalid"),
        (6, "家庭人口", "household_size_invalid"),
        (7, "户类别", "household_category_unknown"),
        (9, "户编号", "register_number_twice"),
        (10, "户主姓名", "text_empty"),
        (11, "身份证号", "id_number_taken"),
        (13, "身份证号", "register_id_number_twice"),
        (14, "帮扶责任人", "register_officer_unknown"),
        (15, "村(社区)", "register_village_unknown"),
        (16, "户编号", "household_number_invalid"),
    ]
    assert error["details"]["count"] == 12 and "12" in error["message"]
    messages = {p["row"]: p["message"] for p in error["details"]["problems"]}
    assert messages[9] == "与第 8 行的户编号重复" and "不存在村" in messages[3] and "富裕户" not in messages[7]
    assert ID_1 not in response.get_data(as_text=True)
    assert count(runtime, "SELECT count(*) FROM households") == 1
    english = register(as_("village_leader"), data, **{"Accept-Language": "en"})
    problems = assert_error(english, 422, "household_register_refused")["details"]["problems"]
    assert problems[1]["message"] == "the ID number's check digit does not match: check it for a typing slip"


def test_a_number_typed_into_excel_as_a_number_is_refused_with_a_reason(runtime, town, as_):
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for column, header in enumerate(("户编号", "户主姓名", "身份证号", "联系电话", "村(社区)", "家庭人口")):
        sheet.write_string(0, column, header)
    sheet.write_number(1, 0, 1001)  # a household number typed as a number: read as "1001"
    sheet.write_string(1, 1, "张三")
    sheet.write_number(1, 2, 430124195608120035)
    sheet.write_number(1, 3, 13812345678)
    sheet.write_string(1, 4, "T-V1")
    sheet.write_number(1, 5, 3)
    book.close()
    error = assert_error(register(as_("leader"), out.getvalue()), 422, "household_register_refused")
    assert [(p["row"], p["code"]) for p in error["details"]["problems"]] == [(2, "id_number_as_number")]


def test_a_register_without_its_required_columns_is_refused_at_the_header(town, as_):
    data = as_csv([{"户编号": "A1", "户主姓名": "张三"}], headers=("户编号", "户主姓名", "备注"))
    error = assert_error(register(as_("leader"), data, filename="a.csv"), 422, "household_register_refused")
    assert [(p["row"], p["column"], p["code"]) for p in error["details"]["problems"]] == [
        (1, "村(社区)", "table_column_missing")]
    nothing = assert_error(register(as_("leader"), "姓名,电话\n张三,1\n".encode(), filename="a.csv"), 422)
    assert nothing["details"]["problems"][0]["code"] == "table_no_header"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_registers_in_gbk_or_utf_8_with_or_without_a_bom(runtime, town, as_, encoding):
    rows = [{"户编号": "QS01-0001", "户主姓名": "欧阳秀英", "身份证号": ID_2, "联系电话": "0731-84567890",
             "村(社区)": "青山村", "家庭人口": "3", "户类别": "五保户"},
            {"户编号": "QS01-0002", "户主姓名": "=HYPERLINK(\"http://x\")", "村(社区)": "青山村"}]
    data = as_csv(rows, encoding=encoding)
    # Headers as Excel on Chinese Windows may write them: full-width brackets, a star on required ones.
    data = data.replace("村(社区)".encode(encoding), "村（社区）*".encode(encoding))
    report = register(as_("leader"), data, commit=True, filename="花名册.csv").get_json()
    assert report["created"] == 2, report
    shown = as_("leader").get("/api/v1/households", query_string={"id_number": ID_2}).get_json()["items"]
    assert [(h["head_name"], h["category_label"]) for h in shown] == [("欧阳秀英", "五保户")]
    formula = as_("leader").get("/api/v1/households", query_string={"number": "QS01-0002"}).get_json()["items"]
    assert formula[0]["head_name"] == "=HYPERLINK(\"http://x\")"  # data, never a formula


def test_the_template_round_trips(runtime, town, as_):
    response = as_("village_leader").get("/api/v1/imports/households/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["户编号", "户主姓名", "身份证号", "联系电话", "村(社区)", "家庭人口",
                                           "户类别", "帮扶责任人"]
    units = book.worksheets[2]
    assert [row for row in units.iter_rows(min_row=2, values_only=True)] == [
        ("T-V1", "青山村", None, "T-V1-P", "帮扶责任人")]  # the village leader's scope only
    sheet.append(["QS01-0001", "王建国", ID_1, PHONE_1, "青山村", 4, "脱贫户", "帮扶责任人"])
    sheet.append(["QS01-0002", "李秀英", ID_2.lower(), "", "T-V1", 2, "监测户", None])
    filled = io.BytesIO()
    book.save(filled)
    report = register(as_("village_leader"), filled.getvalue(), commit=True)
    assert report.status_code == 200, report.get_json()
    assert [(i["row"], i["action"]) for i in report.get_json()["items"]] == [(2, "create"), (3, "create")]
    shown = as_("village_leader").get(f"/api/v1/households/{report.get_json()['items'][1]['household_id']}?full=1")
    assert shown.get_json()["id_number"] == ID_2


def test_a_register_too_large_or_of_another_type_is_refused(town, as_):
    leader = as_("leader")
    assert_error(register(leader, b"x" * (20 * 1024 * 1024 + 1), filename="big.csv"), 413, "table_too_large")
    assert_error(register(leader, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", filename="a.xlsx"), 415,
                 "table_type")
    missing = leader.client.post("/api/v1/imports/households", headers=leader.headers,
                                 content_type="multipart/form-data", data={"commit": "true"})
    assert_error(missing, 422, "validation_failed")
    assert_error(leader.post("/api/v1/imports/households", {"file": "x"}), 415)


def test_only_leaders_and_admins_import_and_the_out_of_scope_learn_nothing(runtime, town, as_, registered):
    data = as_csv([{"户编号": "QS01-0001", "户主姓名": "王建国", "村(社区)": "石桥村"}])
    assert_error(register(as_("clerk"), data, filename="a.csv"), 403, "forbidden")
    assert_error(register(as_("auditor"), data, filename="a.csv"), 403, "forbidden")
    error = assert_error(register(as_("outsider"), data, filename="a.csv"), 422, "household_register_refused")
    assert [p["code"] for p in error["details"]["problems"]] == ["household_number_taken"]


def test_a_retried_import_with_its_key_acts_once(runtime, town, as_):
    leader = as_("leader")
    data = as_csv([{"户编号": "QS01-0001", "户主姓名": "王建国", "村(社区)": "青山村"}])
    first = register(leader, data, commit=True, filename="a.csv", **{"Idempotency-Key": "register-1"})
    again = register(leader, data, commit=True, filename="again.csv", **{"Idempotency-Key": "register-1"})
    assert first.get_json() == again.get_json() and again.get_json()["created"] == 1
    assert count(runtime, "SELECT count(*) FROM access_log WHERE action = 'household.import'") == 1
    assert_error(register(leader, data, commit=False, filename="a.csv", **{"Idempotency-Key": "register-1"}), 422,
                 "idempotency_mismatch")


def test_a_household_read_lists_its_cases_in_scope(runtime, town, as_, registered):
    with runtime.transaction() as session:
        make = factory_for(session, town)
        named = make.case("village", title="危房改造资料缺失", household_id=registered["id"])
        elsewhere = make.case("office", title="工作站台账缺页", household_id=registered["id"])
        make.case("village", title="另一户")
        named, elsewhere = (named.id, named.number), (elsewhere.id, elsewhere.number)
    shown = as_("clerk").get(f"/api/v1/households/{registered['id']}").get_json()
    assert shown["cases"] == [{"id": named[0], "number": named[1], "title": "危房改造资料缺失", "state": "found"}]
    cases = as_("leader").get(f"/api/v1/households/{registered['id']}").get_json()["cases"]
    assert [c["id"] for c in cases] == [named[0], elsewhere[0]]
