"""The plan in, over HTTP: a preview with each item's source text and the warnings, then the
commit; again, nothing changes; a leader's correction survives the next import."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from casework.paths import sample_plan

from tests.web.helpers import assert_error

SAMPLE = sample_plan().read_text(encoding="utf-8")


def plan(api, campaign_id, **body):
    return api.post(f"/api/v1/campaigns/{campaign_id}/plan", body)


def test_the_sample_plan_previews_then_commits_then_changes_nothing(town, as_):
    leader = as_("leader")
    preview = plan(leader, town.campaign_id, text=SAMPLE)
    assert preview.status_code == 200
    shown = preview.get_json()
    assert shown["committed"] is False and {i["action"] for i in shown["items"]} == {"create"}
    income = next(i for i in shown["items"] if i["code"] == "三.(一).1")
    assert income["title"] == "贫困户增收情况排查" and "3700元" in income["what_to_inspect"]
    assert [p["name"] for p in income["parties"]] == ["帮扶责任人", "村(社区)扶贫专干", "驻村工作队", "联村组长"]
    assert income["parties"][0] == {"name": "帮扶责任人", "unit_kind": "assistance_officer", "role": "unit"}
    assert income["source"].startswith("1.贫困户增收情况排查")
    satisfaction = next(i for i in shown["items"] if i["code"] == "三.(一).6")
    assert satisfaction["default_deadline"].endswith("-11-30")
    codes = {w["code"] for w in shown["warnings"]}
    assert {"section_truncated", "deadline_open"} <= codes
    truncated = next(w for w in shown["warnings"] if w["code"] == "section_truncated")
    assert "健康扶贫大排查" in truncated["message"] and truncated["source"]
    assert leader.get(f"/api/v1/campaigns/{town.campaign_id}/items").get_json()["items"] == []  # nothing written

    committed = plan(leader, town.campaign_id, text=SAMPLE, commit=True).get_json()
    assert committed["committed"] is True
    items = leader.get(f"/api/v1/campaigns/{town.campaign_id}/items").get_json()["items"]
    assert [i["code"] for i in items][:3] == ["三.(一).1", "三.(一).2", "三.(一).3"]
    assert len(items) == len(committed["items"]) == 10
    again = plan(leader, town.campaign_id, text=SAMPLE, commit=True).get_json()
    assert {i["action"] for i in again["items"]} == {"unchanged"}
    assert len(leader.get(f"/api/v1/campaigns/{town.campaign_id}/items").get_json()["items"]) == 10


def test_a_leader_s_correction_survives_the_next_import(town, as_):
    leader = as_("leader")
    plan(leader, town.campaign_id, text=SAMPLE, commit=True)
    items = leader.get(f"/api/v1/campaigns/{town.campaign_id}/items").get_json()["items"]
    income = next(i for i in items if i["code"] == "三.(一).1")
    corrected = leader.patch(f"/api/v1/campaigns/{town.campaign_id}/items/{income['id']}",
                             {"title": "贫困户收入核算", "default_deadline": "2026-12-15", "workflow_key": "household",
                              "responsible": ["帮扶责任人"]})
    assert corrected.status_code == 200 and corrected.get_json()["workflow_key"] == "household"
    preview = plan(leader, town.campaign_id, text=SAMPLE).get_json()
    kept = next(i for i in preview["items"] if i["code"] == "三.(一).1")
    assert kept["action"] == "kept_edited"
    assert {d["field"]: (d["current"], d["plan"]) for d in kept["differences"]}["title"] == (
        "贫困户收入核算", "贫困户增收情况排查")
    plan(leader, town.campaign_id, text=SAMPLE, commit=True)
    still = leader.get(f"/api/v1/campaigns/{town.campaign_id}/items").get_json()["items"]
    assert next(i for i in still if i["code"] == "三.(一).1")["title"] == "贫困户收入核算"
    # a case opened on the item takes its deadline and its workflow by default
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("assistance_officer"),
                            item_id=income["id"], title="收入核算有误")
    assert (case["deadline"], case["workflow"]["key"]) == ("2026-12-15", "household")


def test_a_word_plan_with_headings_and_full_width_punctuation_reads_too(town, as_):
    document = docx.Document()
    document.add_heading("人居环境整治工作方案", level=1)
    document.add_paragraph("三、具体内容和整改措施")
    document.add_paragraph("（一）村容村貌")
    document.add_paragraph("1．垃圾清运 排查内容：村内垃圾是否日产日清。整改措施：12月15日前建立保洁台账。"
                           "责任单位：村（社区）、驻村工作队")
    out = io.BytesIO()
    document.save(out)
    response = as_("leader").client.post(
        f"/api/v1/campaigns/{town.campaign_id}/plan", headers=as_("leader").headers, content_type="multipart/form-data",
        data={"file": (io.BytesIO(out.getvalue()), "方案.docx")})
    assert response.status_code == 200, response.get_json()
    [item] = response.get_json()["items"]
    assert (item["code"], item["title"]) == ("三.(一).1", "垃圾清运")
    assert item["default_deadline"].endswith("-12-15") and [p["name"] for p in item["parties"]] == ["村(社区)", "驻村工作队"]


@pytest.mark.parametrize(("body", "status"), [({"text": ""}, 422), ({"text": "没有编号的一段文字。"}, 200)])
def test_broken_plans_get_warnings_or_a_clear_4xx(town, as_, body, status):
    response = plan(as_("leader"), town.campaign_id, **body)
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["items"] == [] and response.get_json()["warnings"][0]["code"] == "no_items"


def test_binary_and_huge_plans_are_refused(town, as_):
    leader = as_("leader")
    binary = leader.client.post(f"/api/v1/campaigns/{town.campaign_id}/plan", headers=leader.headers,
                                content_type="multipart/form-data", data={"file": (io.BytesIO(Path("/bin/true").read_bytes()), "plan.docx")})
    assert_error(binary, 415, "plan_file_type")
    huge = leader.client.post(f"/api/v1/campaigns/{town.campaign_id}/plan", headers=leader.headers,
                              content_type="multipart/form-data",
                              data={"file": (io.BytesIO(("一、" + "字" * 3_000_000).encode()), "plan.txt")})
    assert_error(huge, 413, "plan_file_too_large")
    too_long_json = leader.client.post(f"/api/v1/campaigns/{town.campaign_id}/plan", headers=leader.headers,
                                       json={"text": "字" * 1_000_000})
    assert_error(too_long_json, 413, "payload_too_large")


def test_only_the_campaign_s_leaders_import(town, as_):
    assert_error(plan(as_("clerk"), town.campaign_id, text=SAMPLE), 403, "forbidden")
    assert_error(plan(as_("outsider"), town.campaign_id, text=SAMPLE), 403, "forbidden")
