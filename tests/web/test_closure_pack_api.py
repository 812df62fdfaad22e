"""Closure packs over HTTP: a verified case's 整改销号材料, built by a job from its record."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import delete, select

from casework import demo_files
from casework.closure.models import ClosurePack
from casework.trail.models import AccessLogEntry

from tests.web.helpers import assert_error


def upload(api, case_id, data, name, kind):
    response = api.client.post(f"/api/v1/cases/{case_id}/evidence", headers=api.headers,
                               data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def verified(runtime, town, as_):
    """A household's case with a photo and a signed form, rejected once, then verified."""
    leader, officer = as_("leader"), as_("officer")
    household = leader.post("/api/v1/households", {"number": "QS01-0003", "head_name": "陈桂兰",
                                                   "village_id": town.unit("village"),
                                                   "id_number": "430124195608120035", "phone": "13812345678"})
    assert household.status_code == 201, household.get_json()
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("assistance_officer"),
                            title="青山村某户一户一策未得到户主认可", village="青山村", deadline="2030-12-31",
                            household_id=household.get_json()["id"])
    leader.fire_ok(case, "assign")
    officer.fire_ok(case, "start")
    files = [upload(officer, case["id"], demo_files.photo(seed=3, taken_at=datetime.now()), "入户照片.jpg", "photo"),
             upload(officer, case["id"], demo_files.signed_form(title="ack", lines=["signed"]), "签字确认单.pdf",
                    "signed_ack")]
    officer.fire_ok(case, "submit")
    leader.fire_ok(case, "reject", reason="照片看不清门牌号")
    files.append(upload(officer, case["id"], demo_files.photo(seed=4, taken_at=datetime.now()), "门牌.jpg", "photo"))
    officer.fire_ok(case, "submit")
    closed = leader.fire_ok(case, "verify")
    return closed, files


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_verified_case_s_pack_is_202_until_built_then_its_pdf_and_zip(runtime, as_, verified, tmp_path):
    case, files = verified
    auditor = as_("auditor")
    waiting = auditor.get(f"/api/v1/cases/{case['id']}/closure-pack")
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] == "5"
    runtime.jobs.run_pending()
    pdf = auditor.get(f"/api/v1/cases/{case['id']}/closure-pack")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = " ".join(_pdf_text(pdf.data, tmp_path).split())
    squeezed = text.replace(" ", "")
    for words in ("整改销号材料", case["number"], "青山村某户一户一策未得到户主认可", "照片看不清门牌号", "验收通过",
                  "陈桂兰"):
        assert words in squeezed, words
    assert "430124" not in squeezed and "13812345678" not in squeezed  # the head's name, no more of them
    for found in files:
        assert found["sha256"] in squeezed, found["filename"]
    history = as_("auditor").get(f"/api/v1/cases/{case['id']}/history").get_json()
    closing = next(e for e in history["items"] if e["event"] == "verify")
    assert closing["hash"] in squeezed
    fonts = subprocess.run(["pdffonts", "-"], input=pdf.data, capture_output=True).stdout.decode()
    assert "WenQuanYi" in fonts and " yes " in fonts  # the Chinese font is embedded

    packed = auditor.get(f"/api/v1/cases/{case['id']}/closure-pack?format=zip")
    archive = zipfile.ZipFile(io.BytesIO(packed.data))
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["member"]: entry["sha256"] for entry in manifest["files"]}
    for member, sha in listed.items():
        assert hashlib.sha256(archive.read(member)).hexdigest() == sha
    assert {f["sha256"] for f in files} <= set(listed.values())
    assert manifest["closing_hash"] == closing["hash"]
    # the pack is on the record, after the closing event
    assert history["items"][-1]["event"] == "closure.packed"
    with runtime.sessions() as session:
        actions = session.scalars(select(AccessLogEntry.action)).all()
    assert actions.count("download.closure_pack") == 2


def test_its_first_page_renders_chinese_not_a_blank(runtime, as_, verified, tmp_path):
    case, _files = verified
    runtime.jobs.run_pending()
    (tmp_path / "pack.pdf").write_bytes(as_("leader").get(f"/api/v1/cases/{case['id']}/closure-pack").data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(tmp_path / "pack.pdf"),
                    str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(page.histogram()[:128])
    assert dark > page.width * page.height * 0.003  # text and table lines, not an empty page


def test_building_twice_gives_the_same_bytes(runtime, as_, verified):
    case, _files = verified
    runtime.jobs.run_pending()
    with runtime.sessions() as session:
        first = session.scalars(select(ClosurePack)).one()
        hashes = (first.pdf_sha256, first.zip_sha256)
    from casework.closure.build import build

    with runtime.transaction() as session:
        session.execute(delete(ClosurePack))
    build(runtime=runtime, payload={"case_id": case["id"], "closing_seq": first.closing_seq})
    with runtime.sessions() as session:
        again = session.scalars(select(ClosurePack)).one()
    assert (again.pdf_sha256, again.zip_sha256) == hashes


def test_a_reopened_and_verified_case_gets_a_pack_of_its_new_closing(runtime, as_, verified):
    case, _files = verified
    runtime.jobs.run_pending()
    leader, officer = as_("leader"), as_("officer")
    leader.fire_ok(case, "reopen", reason="复查发现户主仍未签字认可")
    assert_error(leader.get(f"/api/v1/cases/{case['id']}/closure-pack"), 404, "closure_pack_not_found")
    officer.fire_ok(case, "submit")
    leader.fire_ok(case, "verify")
    runtime.jobs.run_pending()
    with runtime.sessions() as session:
        packs = session.scalars(select(ClosurePack).order_by(ClosurePack.closing_seq)).all()
    assert [p.status for p in packs] == ["ready", "ready"] and packs[0].pdf_sha256 != packs[1].pdf_sha256


def test_no_pack_for_an_open_or_dismissed_case_and_none_outside_one_s_scope(runtime, town, as_, verified):
    case, _files = verified
    leader = as_("leader")
    open_case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    assert_error(leader.get(f"/api/v1/cases/{open_case['id']}/closure-pack"), 404, "closure_pack_not_found")
    dismissed = leader.fire_ok(open_case, "dismiss", reason="非建档立卡户")
    assert_error(leader.get(f"/api/v1/cases/{dismissed['id']}/closure-pack"), 404, "closure_pack_not_found")
    assert_error(as_("outsider").get(f"/api/v1/cases/{case['id']}/closure-pack"), 404, "case_not_found")
