"""Evidence over HTTP: the type by the bytes, stored once by hash, photos people can trust,
downloads that never run in the browser, and a retried upload that attaches nothing twice."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from casework import demo_files

from tests.web.helpers import assert_error

NOW = datetime.now()


def photo(seed: int = 1, *, taken: datetime = NOW, gps=(28.2282, 112.9388), size=None) -> bytes:
    data = demo_files.photo(seed=seed, taken_at=taken, gps=gps)
    if size:  # a resized, re-encoded copy, as a chat app would send it on
        image = Image.open(io.BytesIO(data))
        out = io.BytesIO()
        image.resize(size).save(out, "JPEG", quality=60)
        data = out.getvalue()
    return data


def upload(api, case_id: int, data: bytes, *, name="整改后照片.jpg", kind="photo", note="", **headers):
    return api.client.post(f"/api/v1/cases/{case_id}/evidence", headers={**api.headers, **headers},
                           data={"kind": kind, "note": note, "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")


@pytest.fixture
def case(town, as_):
    leader = as_("leader")
    opened = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="危房改造资料缺失")
    leader.fire_ok(opened, "assign", assignee_id=town.user("clerk"))
    return as_("clerk").fire_ok(opened, "start")


def test_a_photo_is_attached_with_what_it_says_about_itself(case, as_):
    response = upload(as_("clerk"), case["id"], photo(), note="东墙已加固")
    assert response.status_code == 201
    shown = response.get_json()
    assert (shown["kind"], shown["kind_label"], shown["filename"], shown["content_type"]) == (
        "photo", "照片", "整改后照片.jpg", "image/jpeg")
    assert shown["sha256"] == hashlib.sha256(photo()).hexdigest() and shown["size"] == len(photo())
    assert shown["camera"] == "Huawei Mate 60" and shown["has_thumbnail"] is True
    assert shown["gps"]["lat"] == pytest.approx(28.2282, abs=1e-3)
    # EXIF times have no zone: read in the campaign's (Shanghai)
    taken = datetime.fromisoformat(shown["taken_at"])
    assert abs(taken - NOW.replace(tzinfo=ZoneInfo("Asia/Shanghai"))) < timedelta(seconds=1)
    assert shown["reuse"] == [] and shown["note"] == "东墙已加固"
    # the attachment is on the case's chain, and the version is untouched: no 409 for the next tap
    history = as_("clerk").get(f"/api/v1/cases/{case['id']}/history").get_json()["items"]
    assert history[-1]["event"] == "evidence.attached"
    assert history[-1]["payload"] == {"evidence_id": shown["id"], "kind": "photo", "sha256": shown["sha256"]}
    assert as_("clerk").case(case["id"])["version"] == case["version"]


@pytest.mark.parametrize(("name", "data", "detected"), [
    ("照片.jpg", Path("/bin/true").read_bytes(), "application/x-sharedlib"),
    ("page.jpg", b"<html><body><script>alert(1)</script></body></html>", "text/html"),
    ("sign.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
    ("run.txt", b"#!/bin/sh\nrm -rf /\n", "text/x-shellscript"),
])
def test_a_file_is_judged_by_its_bytes_not_its_name(runtime, case, as_, name, data, detected):
    error = assert_error(upload(as_("clerk"), case["id"], data, name=name), 415, "evidence_type_refused")
    assert error["details"]["detected"] == detected and detected in error["message"]
    assert not any(runtime.settings.storage_dir.rglob("*")) or all(
        p.is_dir() for p in runtime.settings.storage_dir.rglob("*"))  # nothing stored


def test_a_pdf_named_jpg_is_kept_as_the_pdf_it_is(case, as_):
    pdf = demo_files.signed_form(title="acknowledgement", lines=["signed"])
    shown = upload(as_("clerk"), case["id"], pdf, name="签字确认单.jpg", kind="signed_ack").get_json()
    assert (shown["content_type"], shown["filename"], shown["has_thumbnail"]) == ("application/pdf", "签字确认单.jpg",
                                                                                  False)


def test_empty_and_oversized_files_are_refused(runtime, case, as_):
    assert_error(upload(as_("clerk"), case["id"], b""), 422, "evidence_empty")
    runtime.settings = runtime.settings.with_(max_upload_bytes=50_000)
    error = assert_error(upload(as_("clerk"), case["id"], photo() + b"\0" * 60_000), 413, "evidence_too_large")
    assert "MB" in error["message"]


def test_a_case_has_a_limit_for_all_its_evidence(runtime, case, as_):
    runtime.settings = runtime.settings.with_(max_case_evidence_bytes=len(photo(1)) + 10)
    assert upload(as_("clerk"), case["id"], photo(1)).status_code == 201
    assert_error(upload(as_("clerk"), case["id"], photo(2)), 413, "case_evidence_full")


@pytest.mark.parametrize(("sent", "kept"), [("../../etc/passwd", "passwd"), ("相册/2026/门牌.jpg", "门牌.jpg"),
                                            ("整改前照片.jpg", "整改前照片.jpg")])
def test_file_names_are_for_reading_never_paths(runtime, case, as_, sent, kept):
    shown = upload(as_("clerk"), case["id"], photo(), name=sent).get_json()
    assert shown["filename"] == kept
    stored = [p.name for p in runtime.settings.storage_dir.rglob("*") if p.is_file()]
    assert shown["sha256"] in stored and kept not in stored


def test_the_same_bytes_are_kept_once_and_a_retry_attaches_nothing_twice(runtime, case, as_):
    clerk = as_("clerk")
    first = upload(clerk, case["id"], photo()).get_json()
    again = upload(clerk, case["id"], photo()).get_json()  # the phone sent it twice
    assert again["id"] == first["id"]
    assert len(clerk.get(f"/api/v1/cases/{case['id']}/evidence").get_json()["items"]) == 1
    stored = [p for p in runtime.settings.storage_dir.rglob(first["sha256"])]
    assert len(stored) == 1


def test_a_retry_with_the_same_key_and_a_new_boundary_gives_the_first_answer(case, as_):
    clerk = as_("clerk")
    first = upload(clerk, case["id"], photo(3), **{"Idempotency-Key": "photo-3"})
    # werkzeug's test client makes a new multipart boundary for each request
    again = upload(clerk, case["id"], photo(3), **{"Idempotency-Key": "photo-3"})
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    different = upload(clerk, case["id"], photo(4), **{"Idempotency-Key": "photo-3"})
    assert_error(different, 422, "idempotency_mismatch")


def test_reuse_is_flagged_on_both_cases_naming_the_other(town, as_, case):
    leader = as_("leader")
    other = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="另一户")
    leader.fire_ok(other, "assign", assignee_id=town.user("clerk"))
    clerk = as_("clerk")
    original = upload(clerk, case["id"], photo(5)).get_json()
    same = upload(clerk, other["id"], photo(5)).get_json()
    assert same["reuse"] == [{"kind": "same_bytes", "distance": 0, "other_case_number": case["number"],
                              "other_evidence_id": original["id"]}]
    resized = upload(clerk, other["id"], photo(5, size=(320, 240)), name="转发.jpg").get_json()
    [near] = resized["reuse"]
    assert (near["kind"], near["other_case_number"]) == ("near_duplicate", case["number"]) and near["distance"] <= 6
    flags = {e["id"]: e["reuse"] for e in clerk.get(f"/api/v1/cases/{case['id']}/evidence").get_json()["items"]}
    assert {(f["kind"], f["other_case_number"]) for f in flags[original["id"]]} == {
        ("same_bytes", other["number"]), ("near_duplicate", other["number"])}
    different = upload(clerk, other["id"], photo(9)).get_json()
    assert different["reuse"] == []


def test_a_photo_taken_long_before_the_case_was_opened_is_flagged(case, as_):
    shown = upload(as_("clerk"), case["id"], photo(6, taken=NOW - timedelta(days=400))).get_json()
    assert [f["kind"] for f in shown["reuse"]] == ["old_photo"]


def test_a_heic_photo_from_a_phone_is_accepted_with_a_thumbnail(case, as_):
    import pillow_heif

    image = Image.open(io.BytesIO(photo(7)))
    heif = pillow_heif.from_pillow(image)
    out = io.BytesIO()
    heif.save(out, quality=60)
    shown = upload(as_("clerk"), case["id"], out.getvalue(), name="IMG_0001.HEIC").get_json()
    assert shown["content_type"] in ("image/heic", "image/heif") and shown["has_thumbnail"] is True
    thumb = as_("clerk").get(f"/api/v1/cases/{case['id']}/evidence/{shown['id']}?thumb=1")
    assert thumb.mimetype == "image/jpeg" and Image.open(io.BytesIO(thumb.data)).width <= 480


def test_a_download_is_an_attachment_with_its_name_type_and_etag(case, as_):
    shown = upload(as_("clerk"), case["id"], photo(), name="整改前照片.jpg").get_json()
    response = as_("leader").get(f"/api/v1/cases/{case['id']}/evidence/{shown['id']}")
    assert response.status_code == 200 and response.data == photo()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%89%8D%E7%85%A7%E7%89%87.jpg" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.mimetype == "image/jpeg"
    assert response.headers["ETag"].strip('"') == shown["sha256"]
    again = as_("leader").get(f"/api/v1/cases/{case['id']}/evidence/{shown['id']}",
                              headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304  # a phone on a weak network need not fetch it twice
    assert_error(as_("outsider").get(f"/api/v1/cases/{case['id']}/evidence/{shown['id']}"), 404, "case_not_found")
    assert_error(as_("outsider").get(f"/api/v1/cases/{case['id']}/evidence"), 404, "case_not_found")


def test_who_may_attach(case, as_):
    for who, status in (("auditor", 403), ("admin", 403), ("outsider", 404), ("team_member", 404)):
        assert upload(as_(who), case["id"], photo()).status_code == status, who
    assert upload(as_("leader"), case["id"], photo()).status_code == 201


def test_an_upload_must_be_multipart(case, as_):
    response = as_("clerk").post(f"/api/v1/cases/{case['id']}/evidence", {"kind": "photo"})
    assert_error(response, 415, "upload_not_multipart")


def test_a_household_case_needs_its_photo_and_signed_form_and_a_withdrawn_one_stops_counting(runtime, town, as_):
    leader, officer = as_("leader"), as_("officer")
    case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("assistance_officer"), title="一户一策")
    leader.fire_ok(case, "assign")
    officer.fire_ok(case, "start")
    refused = assert_error(officer.fire(case, "submit"), 422, "missing_evidence")
    assert refused["message"] == "缺少佐证资料:photo, signed_ack"
    taken = upload(officer, case["id"], photo(8)).get_json()
    form = demo_files.signed_form(title="household acknowledgement", lines=["signed by the head of household"])
    signed = upload(officer, case["id"], form, name="签字确认单.pdf", kind="signed_ack").get_json()
    withdrawn = officer.post(f"/api/v1/cases/{case['id']}/evidence/{signed['id']}/withdraw",
                             {"reason": "户主签名不清,重新签字"})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdraw_reason"] == "户主签名不清,重新签字"
    assert_error(officer.fire(case, "submit"), 422, "missing_evidence")
    resigned = demo_files.signed_form(title="household acknowledgement", lines=["signed again, clearly"])
    upload(officer, case["id"], resigned, name="签字确认单2.pdf", kind="signed_ack")
    submitted = officer.fire_ok(case, "submit")
    assert submitted["state"] == "evidenced"
    events = [e["event"] for e in officer.get(f"/api/v1/cases/{case['id']}/history").get_json()["items"]]
    assert events.count("evidence.attached") == 3 and events.count("evidence.withdrawn") == 1
    assert taken["id"] in [e["id"] for e in leader.get(f"/api/v1/cases/{case['id']}/evidence").get_json()["items"]]
    # closed: the evidence can no longer change
    leader.fire_ok(case, "verify")
    assert_error(upload(officer, case["id"], photo(10)), 409, "case_closed")
