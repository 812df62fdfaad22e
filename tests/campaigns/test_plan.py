"""Reading a work plan into inspection items: the township's real plan, a Word plan laid out
another way, and input that is broken or hostile (which gets warnings or a named error, never a
crash)."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.campaigns import plan
from casework.campaigns.plan import (MAX_PLAN_CHARS, MAX_PLAN_MARKS, Party, PlanResult,
                                     parse_text, text_from_docx)
from casework.campaigns.plan_parties import party_names
from casework.errors import Unprocessable
from casework.paths import sample_plan

SAMPLE = sample_plan().read_text(encoding="utf-8")
YEAR = 2024


def by_code(result: PlanResult) -> dict:
    return {item.code: item for item in result.items}


def warning_codes(result: PlanResult) -> list[str]:
    return [w.code for w in result.warnings]


def warnings_of(result: PlanResult, code: str) -> list:
    return [w for w in result.warnings if w.code == code]


@pytest.fixture(scope="module")
def sample() -> PlanResult:
    return parse_text(SAMPLE, year=YEAR)


# --- the township's plan ---------------------------------------------------------------------

def test_the_sample_holds_ten_items_in_plan_order(sample):
    assert [item.code for item in sample.items] == [
        "三.(一).1", "三.(一).2", "三.(一).3", "三.(一).4", "三.(一).5", "三.(一).6",
        "三.(二).1", "三.(二).2", "三.(三)", "三.(四)",
    ]
    assert [item.title for item in sample.items] == [
        "贫困户增收情况排查", "贫困户漏评", "痕迹化管理", "扶贫档案资料", "信息和数据是否准确",
        "满意度方面", "驻村帮扶", "结对帮扶", "产业扶贫覆盖面暨利益联结大排查", "健康扶贫大排查",
    ]


def test_income_item_reads_whole_across_the_pasted_line_breaks(sample):
    item = by_code(sample)["三.(一).1"]
    assert item.area == "脱贫成效大排查"
    assert "省脱贫标准(3700元)" in item.what_to_inspect
    assert item.what_to_inspect.startswith("对照省考核标准")
    assert item.rectification_measure.startswith("每户全面认真核查贫困户收入")
    assert item.source.startswith("1.贫困户增收情况排查 排查内容。")
    assert "3、" not in item.source
    assert item.parties == (
        Party("帮扶责任人", "assistance_officer", "unit"),
        Party("村(社区)扶贫专干", "village", "unit"),
        Party("驻村工作队", "work_team", "unit"),
        Party("联村组长", "village", "leader"),
    )
    assert item.deadline is None and item.deadline_text is None


def test_a_line_break_inside_a_list_of_households_is_undone(sample):
    item = by_code(sample)["三.(一).2"]
    assert "(低保户、贫困残疾户、分散供养五保户、边缘户、往年清退户)" in item.what_to_inspect


def test_the_real_6_numbering_is_an_item_and_its_deadline_is_read_in_the_plan_year(sample):
    item = by_code(sample)["三.(一).6"]
    assert item.title == "满意度方面"
    assert item.rectification_measure.startswith("迅速召开村级大会")
    assert item.deadline == date(YEAR, 11, 30)
    assert item.deadline_text == "11月30日前"
    assert [p.name for p in item.parties] == ["村(社区)", "驻村工作队", "联村组长", "帮扶责任人"]


def test_information_item_is_due_on_30_november(sample):
    item = by_code(sample)["三.(一).5"]
    assert item.title == "信息和数据是否准确"
    assert item.deadline == date(YEAR, 11, 30)


def test_the_same_plan_read_for_another_year_dates_its_deadlines_in_that_year():
    item = by_code(parse_text(SAMPLE, year=2026))["三.(一).6"]
    assert item.deadline == date(2026, 11, 30)


def test_village_work_item_names_its_three_parties_across_a_line_break(sample):
    item = by_code(sample)["三.(二).1"]
    assert item.area == "驻村帮扶和结对帮扶大排查"
    assert item.parties == (
        Party("基层党建办", "office", "unit"),
        Party("驻村工作队派出单位", None, None),
        Party("驻村工作队", "work_team", "unit"),
    )


def test_parties_separated_by_ascii_commas_are_split(sample):
    assert [(p.name, p.unit_kind, p.role) for p in by_code(sample)["三.(一).3"].parties] == [
        ("村(社区)扶贫专干", "village", "unit"), ("驻村工作队", "work_team", "unit"),
        ("联点组长", "village", "leader"), ("帮扶责任人", "assistance_officer", "unit"),
    ]


def test_an_area_without_numbered_items_is_an_item_itself(sample):
    item = by_code(sample)["三.(三)"]
    assert item.area == item.title == "产业扶贫覆盖面暨利益联结大排查"
    assert item.what_to_inspect.startswith("即所有村(社区)是否实施了产业扶贫工程")
    assert [p.name for p in item.parties] == ["镇扶贫工作站", "村(社区)", "驻村工作队", "联村组长"]


def test_the_cut_off_health_section_is_reported_not_dropped(sample):
    [warning] = warnings_of(sample, "section_truncated")
    assert warning.details == {"item": "三.(四)", "title": "健康扶贫大排查",
                               "missing": ["rectification_measure", "parties"]}
    assert warning.source.endswith("走访记录是否针")
    item = by_code(sample)["三.(四)"]
    assert item.rectification_measure == "" and item.parties == ()


def test_the_preamble_gives_no_item_and_no_unplaced_text(sample):
    titles = {item.title for item in sample.items}
    assert not titles & {"指导思想", "大排查范围", "具体内容和整改措施"}
    assert all(item.code.startswith("三.") for item in sample.items)
    assert warnings_of(sample, "unplaced_text") == []


def test_the_undecided_campaign_end_is_an_open_deadline(sample):
    [warning] = warnings_of(sample, "deadline_open")
    assert warning.details == {"text": "x月x日", "item": None}
    assert "从即日起到x月x日" in warning.source


def test_the_sample_warns_only_about_the_open_end_and_the_cut_off_section(sample):
    assert warning_codes(sample) == ["deadline_open", "section_truncated"]


# --- numbering ---------------------------------------------------------------------------------

def test_full_width_brackets_colons_and_dots_read_like_half_width():
    result = parse_text("一、具体内容\n（一）脱贫成效大排查\n1．收入排查 排查内容：收入是否达标。"
                        "整改措施：逐户核查。\n责任单位：各村（社区）扶贫专干；各级帮扶责任人", year=YEAR)
    [item] = result.items
    assert (item.code, item.title, item.area) == ("一.(一).1", "收入排查", "脱贫成效大排查")
    assert (item.what_to_inspect, item.rectification_measure) == ("收入是否达标。", "逐户核查。")
    assert [p.name for p in item.parties] == ["村(社区)扶贫专干", "帮扶责任人"]


def test_numbered_steps_inside_a_measure_are_not_items():
    result = parse_text(
        "(一)脱贫成效 1.收入 排查内容:收入。整改措施:1.核查收入 2.重算收入 责任单位:帮扶责任人 "
        "2.漏评 排查内容:漏评。整改措施:1.建台账 2.核查 3.补录 责任单位:驻村工作队 "
        "3.手册 排查内容:手册。整改措施:更换。责任单位:镇扶贫工作站", year=YEAR)
    assert [(i.code, i.title) for i in result.items] == [("(一).1", "收入"), ("(一).2", "漏评"),
                                                        ("(一).3", "手册")]
    assert by_code(result)["(一).2"].rectification_measure == "1.建台账 2.核查 3.补录"


def test_numbers_inside_sentences_are_text():
    result = parse_text("1.收入 排查内容:是否贯彻十九届二中、三中全会精神,人均1.5万元,第(一)项。"
                        "整改措施:核查。责任单位:帮扶责任人", year=YEAR)
    [item] = result.items
    assert item.what_to_inspect == "是否贯彻十九届二中、三中全会精神,人均1.5万元,第(一)项。"


def test_a_skipped_number_is_still_a_heading_and_is_reported():
    result = parse_text("(一)收入 排查内容:收入。整改措施:核查。责任单位:帮扶责任人 "
                        "(三)漏评 排查内容:漏评。整改措施:建台账。责任单位:驻村工作队", year=YEAR)
    assert [i.code for i in result.items] == ["(一)", "(三)"]
    [gap] = warnings_of(result, "numbering_gap")
    assert gap.details == {"section": "(三)", "expected": 2}


@pytest.mark.parametrize("first", [1, 37])
def test_a_page_with_numbered_lines_is_joined_back(first):
    lines = ["一、范围 全镇。 二、内容 1.收入排查 排查内", "容:收入是否达标。整改措施:逐户核", "查。责任单位:帮扶责任人"]
    text = "\r\n".join(f"{n}、{line}" for n, line in enumerate(lines, first))
    [item] = parse_text(text, year=YEAR).items
    assert (item.code, item.what_to_inspect, item.rectification_measure) == (
        "二.1", "收入是否达标。", "逐户核查。")


def test_a_list_of_items_one_a_line_keeps_its_numbers():
    text = ("1、收入排查 排查内容:收入。整改措施:核查。责任单位:帮扶责任人\n"
            "2、漏评 排查内容:漏评。整改措施:建台账。责任单位:驻村工作队\n")
    result = parse_text(text, year=YEAR)
    assert [(i.code, i.title, i.area) for i in result.items] == [("1", "收入排查", "收入排查"),
                                                                ("2", "漏评", "漏评")]


def test_text_after_the_items_that_belongs_to_none_is_reported():
    result = parse_text("一、内容 1.收入 排查内容:收入。整改措施:核查。责任单位:帮扶责任人。另附名单 "
                        "二、工作要求 加强组织领导。", year=YEAR)
    assert [(w.details, w.source) for w in warnings_of(result, "unplaced_text")] == [
        ({"section": "一.1"}, "另附名单"), ({"section": "二"}, "加强组织领导。")]


# --- deadlines ---------------------------------------------------------------------------------

def item_of(text: str) -> tuple:
    result = parse_text(f"1.收入 排查内容:收入。整改措施:{text} 责任单位:帮扶责任人", year=YEAR)
    return result.items[0], result


@pytest.mark.parametrize("written", ["11月30日前完成", "11月30日之前完成", "在11月30日前完成",
                                     "截至11月30日", "完成时限:11月30日"])
def test_deadline_wordings_give_the_same_day(written):
    item, result = item_of(written)
    assert item.deadline == date(YEAR, 11, 30)
    assert warning_codes(result) == []


def test_the_latest_of_several_dates_is_the_items_deadline():
    item, _ = item_of("11月30日前开会,12月10日前走访,12月1日前自查。")
    assert (item.deadline, item.deadline_text) == (date(YEAR, 12, 10), "12月10日前")


def test_a_year_written_with_the_date_wins_over_the_plan_year():
    item, _ = item_of("2025年1月15日前完成。")
    assert item.deadline == date(2025, 1, 15)


@pytest.mark.parametrize("written", ["x月x日召开动员会。", "5月1日起开展。"])
def test_dates_that_are_no_deadline_raise_no_warning(written):
    item, result = item_of(written)
    assert item.deadline is None
    assert warning_codes(result) == []


def test_an_impossible_date_is_reported_even_when_it_is_no_deadline():
    item, result = item_of("2月30日召开会议,12月1日前完成。")
    assert item.deadline == date(YEAR, 12, 1)
    assert [w.details for w in warnings_of(result, "bad_date")] == [{"text": "2月30日", "item": "1"}]


def test_an_impossible_date_is_reported_and_not_used():
    item, result = item_of("2月30日前完成。")
    assert item.deadline is None
    [warning] = warnings_of(result, "bad_date")
    assert warning.details == {"text": "2月30日前", "item": "1"}
    assert warning.source == "整改措施:2月30日前完成。"


def test_a_placeholder_date_inside_an_item_is_an_open_deadline():
    item, result = item_of("即日起到x月x日。")
    assert item.deadline is None
    assert [w.details for w in warnings_of(result, "deadline_open")] == [{"text": "x月x日", "item": "1"}]


# --- responsible parties -----------------------------------------------------------------------

@pytest.mark.parametrize("text, names", [
    ("帮扶责任人、村(社区)扶贫专干、驻村工作队或联村组长",
     ["帮扶责任人", "村(社区)扶贫专干", "驻村工作队", "联村组长"]),
    ("村（社区）书记（主任）及各级帮扶责任人", ["村(社区)书记(主任)", "帮扶责任人"]),
    ("各驻村工作队派出单位和镇扶贫工作站;基层党建办", ["驻村工作队派出单位", "镇扶贫工作站", "基层党建办"]),
    ("驻村工作队,驻村工作队，联点组长等", ["驻村工作队", "联点组长"]),
    ("各村(社区)联点党政领导", ["村(社区)联点党政领导"]),
    ("", []),
])
def test_parties_split_on_separators_but_not_inside_brackets(text, names):
    assert party_names(text, limit=50) == (names, False)


@pytest.mark.parametrize("written, kind, role", [
    ("各级帮扶责任人", "assistance_officer", "unit"),
    ("各村(社区)扶贫专干", "village", "unit"),
    ("各村(社区)联点党政领导", "township", "leader"),
    ("村(社区)书记(主任)", "village", "leader"),
    ("联点组长", "village", "leader"),
    ("基层党建办", "office", "unit"),
    ("各村(社区)", "village", "unit"),
])
def test_parties_map_to_unit_kinds_and_roles(written, kind, role):
    result = parse_text(f"1.收入 排查内容:收入。整改措施:核查。责任单位:{written}", year=YEAR)
    [item] = result.items
    assert [(p.unit_kind, p.role) for p in item.parties] == [(kind, role)]
    assert warning_codes(result) == []


def test_a_list_of_parties_beyond_the_limit_keeps_the_first_and_says_so():
    villages = "、".join(f"{n}号村" for n in range(1, 61))
    result = parse_text(f"1.收入 排查内容:收入。整改措施:核查。责任单位:{villages}", year=YEAR)
    assert [p.name for p in result.items[0].parties] == [f"{n}号村" for n in range(1, 51)]
    [warning] = warnings_of(result, "too_many_parties")
    assert warning.details == {"item": "1", "limit": 50}


def test_an_unknown_party_is_kept_and_reported_once_for_all_its_items():
    result = parse_text("1.收入 排查内容:收入。整改措施:核查。责任单位:镇民政办、帮扶责任人 "
                        "2.漏评 排查内容:漏评。整改措施:建台账。责任单位:镇民政办", year=YEAR)
    assert result.items[0].parties[0] == Party("镇民政办", None, None)
    [warning] = warnings_of(result, "party_unknown")
    assert warning.details == {"party": "镇民政办", "items": ["1", "2"]}
    assert warning.source == "镇民政办、帮扶责任人"


# --- a Word plan in another layout ------------------------------------------------------------

def word_plan() -> bytes:
    document = docx.Document()
    document.add_heading("迎检大排查工作方案", level=0)
    document.add_heading("指导思想", level=1)
    document.add_paragraph("以习近平新时代中国特色社会主义思想为指导,即日起到12月31日集中开展。")
    document.add_heading("具体内容和整改措施", level=1)
    document.add_heading("脱贫成效大排查", level=2)
    document.add_heading("贫困户增收情况排查", level=3)
    document.add_paragraph("排查内容：收入是否达到省脱贫标准（3700元）。")
    document.add_paragraph("整改措施：逐户核查，11月30日前录入到位。")
    document.add_paragraph("责任单位：帮扶责任人、村（社区）扶贫专干")
    document.add_heading("信息数据准确", level=3)
    table = document.add_table(rows=3, cols=2)
    rows = [("排查内容：", "系统数据是否有错误。"), ("整改措施：", "12月15日前完成自查。"),
            ("责任单位：", "镇扶贫工作站")]
    for row, (label, text) in zip(table.rows, rows):
        row.cells[0].text, row.cells[1].text = label, text
    document.add_heading("（二）产业扶贫大排查", level=2)  # typed with its own number
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "排查内容：产业工程是否落实。"
    document.add_paragraph("整改措施：完成验收。")
    document.add_paragraph("责任单位：驻村工作队或联村组长")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_headings_get_the_numbers_word_shows():
    lines = text_from_docx(word_plan()).split("\n")
    assert lines[:4] == ["迎检大排查工作方案", "一、指导思想",
                         "以习近平新时代中国特色社会主义思想为指导,即日起到12月31日集中开展。",
                         "二、具体内容和整改措施"]
    assert "(一)脱贫成效大排查" in lines and "1.贫困户增收情况排查" in lines
    assert "（二）产业扶贫大排查" in lines
    assert lines.count("排查内容：产业工程是否落实。") == 1  # a merged cell is read once


def test_a_word_plan_with_headings_and_a_table_parses_into_its_items():
    result = parse_text(text_from_docx(word_plan()), year=YEAR)
    assert [(i.code, i.title, i.area, i.deadline) for i in result.items] == [
        ("二.(一).1", "贫困户增收情况排查", "脱贫成效大排查", date(YEAR, 11, 30)),
        ("二.(一).2", "信息数据准确", "脱贫成效大排查", date(YEAR, 12, 15)),
        ("二.(二)", "产业扶贫大排查", "产业扶贫大排查", None),
    ]
    first, second, third = result.items
    assert first.what_to_inspect == "收入是否达到省脱贫标准（3700元）。"
    assert [p.unit_kind for p in first.parties] == ["assistance_officer", "village"]
    assert second.what_to_inspect == "系统数据是否有错误。"
    assert [p.name for p in second.parties] == ["镇扶贫工作站"]
    assert [p.name for p in third.parties] == ["驻村工作队", "联村组长"]
    assert warning_codes(result) == []


@pytest.mark.parametrize("data", [b"", b"not a word file", bytes(range(256)) * 8, "文本".encode()])
def test_bytes_that_are_no_docx_are_unreadable(data):
    with pytest.raises(Unprocessable) as caught:
        text_from_docx(data)
    assert caught.value.code == "plan_unreadable"


def test_a_zip_that_is_no_word_document_is_unreadable():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "你好")
    with pytest.raises(Unprocessable) as caught:
        text_from_docx(out.getvalue())
    assert caught.value.code == "plan_unreadable"


def test_a_docx_that_would_unpack_past_the_limit_is_refused_by_name(monkeypatch):
    monkeypatch.setattr(plan, "MAX_DOCX_UNPACKED", 10_000)
    with pytest.raises(Unprocessable) as caught:
        text_from_docx(word_plan())
    assert (caught.value.code, caught.value.details) == ("plan_too_large", {"limit": 10_000})


# --- broken and hostile input ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\t\u3000 "])
def test_a_blank_plan_has_no_items_and_says_so(text):
    result = parse_text(text, year=YEAR)
    assert result.items == ()
    assert [(w.code, w.details) for w in result.warnings] == [("no_items", {"headings": 0})]


def test_text_without_numbering_has_no_items_and_says_so():
    result = parse_text("全面排查贫困户收入。排查内容:收入是否达标。责任单位:帮扶责任人", year=YEAR)
    assert result.items == ()
    assert warning_codes(result) == ["no_items"]
    assert result.warnings[0].source.startswith("全面排查贫困户收入")


def test_numbered_headings_without_any_labels_have_no_items():
    result = parse_text("一、指导思想 坚持标准。 二、工作要求 加强领导。", year=YEAR)
    assert result.items == ()
    assert [(w.code, w.details) for w in result.warnings] == [("no_items", {"headings": 2})]


@pytest.mark.parametrize("junk", [
    bytes(range(256)).decode("latin-1") * 40,
    bytes(range(256)).decode("utf-8", errors="replace") * 40,
    bytes(range(256)).decode("utf-8", errors="surrogateescape") * 40,
    "一、内容 1.收入 排查内容:\x00收入",
])
def test_binary_junk_is_unreadable(junk):
    with pytest.raises(Unprocessable) as caught:
        parse_text(junk, year=YEAR)
    assert (caught.value.code, caught.value.details) == ("plan_unreadable", {"reason_code": "plan_binary"})


def test_stray_control_characters_are_dropped():
    [item] = parse_text("1.收入\x07 排查内容:收入\x1b。整改措施:核查。责任单位:帮扶责任人", year=YEAR).items
    assert (item.title, item.what_to_inspect) == ("收入", "收入。")


def test_a_plan_over_the_limit_is_refused_by_name():
    with pytest.raises(Unprocessable) as caught:
        parse_text("排" * (MAX_PLAN_CHARS + 1), year=YEAR)
    assert (caught.value.code, caught.value.details) == ("plan_too_large", {"limit": MAX_PLAN_CHARS})


def test_five_megabytes_of_ascii_are_refused_at_once():
    started = time.perf_counter()
    with pytest.raises(Unprocessable) as caught:
        parse_text("1. a 2. b " * 500_000, year=YEAR)
    assert caught.value.code == "plan_too_large"
    assert time.perf_counter() - started < 1


def test_five_megabytes_of_plan_text_parse_in_a_second_or_two(sample):
    six, team = by_code(sample)["三.(一).6"], by_code(sample)["三.(二).1"]
    body = (f" 排查内容:{six.what_to_inspect}{team.what_to_inspect} 整改措施:"
            f"{six.rectification_measure}{team.rectification_measure} 责任单位:帮扶责任人 ")
    count = 800
    text = "三、具体内容 (一)满意度大排查 " + "".join(f"{n}.满意度{n}{body}" for n in range(1, count + 1))
    assert len(text.encode()) > 5_000_000 and len(text) <= MAX_PLAN_CHARS
    started = time.perf_counter()
    result = parse_text(text, year=YEAR)
    assert time.perf_counter() - started < 2
    assert [item.code for item in result.items] == [f"三.(一).{n}" for n in range(1, count + 1)]
    assert (result.items[-1].title, result.items[-1].deadline) == (f"满意度{count}", date(YEAR, 11, 30))


def test_five_megabytes_of_the_sample_pasted_over_and_over_parse_in_a_second_or_two():
    text = "\n".join([SAMPLE] * 375)
    assert len(text.encode()) > 5_000_000 and len(text) <= MAX_PLAN_CHARS
    started = time.perf_counter()
    result = parse_text(text, year=YEAR)
    assert time.perf_counter() - started < 2
    assert "三.(一).6" in by_code(result)


@pytest.mark.parametrize("text", [
    "1. " * 600_000,
    "".join(f" {n}.项{n} 排查内容:x。整改措施:1.a 2.b" for n in range(1, 40_000)),
    "1.a 排查内容:" + "x月x日前," * 200_000,
])
def test_text_packed_with_numbers_or_dates_is_refused_quickly(text):
    started = time.perf_counter()
    with pytest.raises(Unprocessable) as caught:
        parse_text(text, year=YEAR)
    assert (caught.value.code, caught.value.details) == ("plan_too_complex", {"limit": MAX_PLAN_MARKS})
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("text", [
    " 排查内容:" * 300_000,
    "1.a 排查内容:b 责任单位:" + "甲、" * 600_000,
    "1.a 排查内容:" + "(" * 1_000_000,
    "1.a 排查内容:b 整改措施:c 责任单位:" + "(社区" * 300_000,
    "\n".join(f"{n}、" for n in range(1, 200_000)),
])
def test_hostile_patterns_stay_fast(text):
    started = time.perf_counter()
    result = parse_text(text, year=YEAR)
    assert time.perf_counter() - started < 2
    assert result.items or warning_codes(result) == ["no_items"]


def test_a_year_outside_the_calendar_is_refused_by_name():
    with pytest.raises(Unprocessable) as caught:
        parse_text(SAMPLE, year=1900)
    assert (caught.value.code, caught.value.details["field"]) == ("invalid_field", "year")


_PIECES = ["一、", "二、", "(一)", "（二）", "1.", "2、", "3．", "排查内容:", "整改措施：", "责任单位:",
           "帮扶责任人", "、", "或", "(", "）", "11月30日前", "2月30日前", "x月x日", "。", " ", "\n",
           "1、", "10、", "内容", "村(社区)", "\t", "\x0b", "\ufeff"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=60))
def test_any_text_gives_a_result_or_a_named_error(pieces):
    try:
        result = parse_text("".join(pieces), year=YEAR)
    except Unprocessable as error:
        assert error.code == "plan_unreadable"
        return
    assert result.items or "no_items" in warning_codes(result)
    assert len({item.code for item in result.items}) == len(result.items)
