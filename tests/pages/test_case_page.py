"""A case's page: what it shows, firing events from it, attaching evidence, refusals in place."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from casework import demo_files
from casework.cases.queries import today
from casework.evidence.models import Evidence
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.helpers import text_of

pytestmark = SQLITE_ONLY


def local_today():
    return today(ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def case(api, town):
    """A case at village T-V1, assigned to the clerk and started."""
    leader, clerk = api("leader"), api("clerk")
    opened = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="危房改造资料缺失",
                              village="青山村", deadline=(local_today() - timedelta(days=2)).isoformat(),
                              description="3户资料未归档。")
    leader.fire_ok(opened, "assign", assignee_id=town.user("clerk"))
    return clerk.fire_ok(opened, "start")


def _photo(seed: int = 1) -> bytes:
    return demo_files.photo(seed=seed, taken_at=datetime.now())


def test_the_page_shows_the_case_its_workflow_and_history(browser, case):
    page = text_of(browser("clerk").get(f"/cases/{case['id']}"))
    assert case["number"] in page and "危房改造资料缺失" in page and "3户资料未归档。" in page
    # Both drawings are inline; the current state is the one marked as the current step.
    assert page.count("<svg xmlns") == 2
    assert re.search(r'data-state="rectifying" aria-current="step"', page)
    assert "登记问题" in page and "开始整改" in page and "交办" in page
    assert re.search(r'class="deadline-line is-late".*逾期2天', page, re.DOTALL)
    assert 'capture="environment"' in page  # the clerk may submit with a photo


def test_a_case_outside_ones_scope_is_a_404_page_never_403(browser, case):
    response = browser("outsider").get(f"/cases/{case['id']}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "找不到该整改事项" in text_of(response)
    assert browser("outsider").post(f"/cases/{case['id']}/events", {"event": "note", "version": "3",
                                                                   "comment": "x"}).status_code == 404


def test_each_event_asks_only_for_its_fields(browser, api, case):
    clerk = api("clerk")
    clerk.fire_ok(case["id"], "submit")
    page = text_of(browser("leader").get(f"/cases/{case['id']}"))
    reject = page[page.index('value="reject"'):]
    reject = reject[:reject.index("</form>")]
    assert 'name="reason"' in reject and 'name="assignee_id"' not in reject
    verify = page[page.index('value="verify"'):]
    verify = verify[:verify.index("</form>")]
    assert "<textarea" not in verify and "<select" not in verify
    extend = page[page.index('value="extend"'):]
    extend = extend[:extend.index("</form>")]
    assert 'type="date"' in extend and 'name="reason"' in extend


def test_assign_offers_the_people_who_may_take_the_case(browser, api, town):
    opened = api("leader").open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title="新问题")
    page = text_of(browser("leader").get(f"/cases/{opened['id']}"))
    form = page[page.index('value="assign"'):]
    form = form[:form.index("</form>")]
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form))
    assert str(town.user("clerk")) in options and str(town.user("leader")) in options
    assert str(town.user("team_member")) not in options  # the work team's staff work the team's cases
    assert str(town.user("outsider")) not in options


def test_a_missing_reason_is_marked_beside_the_field_in_the_readers_language(browser, api, case):
    api("clerk").fire_ok(case["id"], "submit")
    person = browser("leader")
    response = person.post(f"/cases/{case['id']}/events", {"event": "reject", "version": "4", "reason": " "})
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(r'id="f-reject-reason-error">必填<', page)
    assert re.search(r'<details class="event-form" open>\s*<summary[^>]*>退回整改', page)
    english = browser("leader", language="en")
    page = text_of(english.post(f"/cases/{case['id']}/events", {"event": "reject", "version": "4", "reason": ""}))
    assert 'id="f-reject-reason-error">Required<' in page


def test_a_stale_version_says_someone_changed_the_case_and_shows_it_as_it_is(browser, api, case):
    page_version = case["version"]
    api("clerk").fire_ok(case["id"], "submit")  # someone else moves it meanwhile
    response = browser("clerk").post(f"/cases/{case['id']}/events",
                                     {"event": "note", "version": str(page_version), "comment": "补充说明"})
    assert response.status_code == 409 and response.mimetype == "text/html"
    page = text_of(response)
    assert "该事项已被他人修改,现在的状态是“待验收”" in page
    assert "危房改造资料缺失" in page and f'name="version" value="{page_version + 1}"' in page


def test_firing_an_event_moves_the_case_and_returns_to_its_page(browser, api, case):
    response = browser("clerk").post(f"/cases/{case['id']}/events", {"event": "note", "version": "3",
                                                                     "comment": "已补齐2户资料"})
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{case['id']}"
    assert "已补齐2户资料" in text_of(browser("leader").get(f"/cases/{case['id']}"))


def test_a_role_that_may_not_fire_an_event_is_told_on_the_page(browser, api, case):
    api("clerk").fire_ok(case["id"], "submit")
    response = browser("clerk").post(f"/cases/{case['id']}/events", {"event": "verify", "version": "4"})
    assert response.status_code == 403
    assert "您的角色不能对该事项执行“验收通过”" in text_of(response)


def test_a_photo_and_submit_in_one_form_without_scripts(browser, api, case, runtime):
    person = browser("clerk")
    response = person.post(f"/cases/{case['id']}/evidence", {
        "kind": "photo", "then": "submit", "version": str(case["version"]),
        "file": (io.BytesIO(_photo()), "整改后.jpg")})
    assert response.status_code == 303
    assert api("clerk").case(case["id"])["state"] == "evidenced"
    page = text_of(person.get(f"/cases/{case['id']}"))
    assert "整改后.jpg" in page and "拍摄于" in page and "上传佐证资料(照片)" in page
    thumb = re.search(r'<img src="(/cases/\d+/evidence/\d+/thumb)"', page).group(1)
    response = person.get(thumb)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    download = person.get(thumb.removesuffix("/thumb"))
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert browser("outsider").get(thumb).status_code == 404


def test_a_photo_kept_when_the_submit_is_refused(browser, case, runtime):
    response = browser("clerk").post(f"/cases/{case['id']}/evidence", {
        "kind": "photo", "then": "submit", "version": "1", "file": (io.BytesIO(_photo(2)), "a.jpg")})
    assert response.status_code == 409
    assert "照片已保存,事项尚未提交。" in text_of(response)
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Evidence)) == 1


def test_an_upload_without_a_file_is_marked_beside_the_field(browser, case):
    response = browser("clerk").post(f"/cases/{case['id']}/evidence", {"kind": "photo"})
    assert response.status_code == 422
    assert re.search(r'id="f-file-error">请选择文件<', text_of(response))


def test_a_retried_upload_with_its_idempotency_key_attaches_once(browser, case, runtime):
    person = browser("clerk")
    photo = _photo(3)

    def send():
        return person.post(f"/cases/{case['id']}/evidence", {"kind": "photo", "note": "",
                                                             "file": (io.BytesIO(photo), "现场.jpg")},
                           headers={"Idempotency-Key": "photo-1", "Accept": "application/json"})

    first, again = send(), send()
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Evidence)) == 1


def test_the_scripts_get_json_answers_and_json_errors(browser, api, case):
    person = browser("clerk")
    headers = {"Accept": "application/json", "Idempotency-Key": "submit-1"}
    done = person.post(f"/cases/{case['id']}/events", {"event": "submit", "version": "3"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["state"] == "evidenced"
    again = person.post(f"/cases/{case['id']}/events", {"event": "submit", "version": "3"}, headers=headers)
    assert again.get_json() == done.get_json()
    stale = person.post(f"/cases/{case['id']}/events", {"event": "note", "version": "3", "comment": "x"},
                        headers={"Accept": "application/json"})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    signed_out = browser().post(f"/cases/{case['id']}/events", {"event": "note", "version": "4"},
                                headers={"Accept": "application/json"})
    assert signed_out.status_code == 401 and signed_out.get_json()["error"]["code"] == "auth_required"


def test_an_auditor_reads_the_case_but_is_offered_nothing_to_do(browser, case):
    page = text_of(browser("auditor").get(f"/cases/{case['id']}"))
    assert "危房改造资料缺失" in page and 'name="event"' not in page and "上传佐证资料" not in page
