"""Signing in and out of the pages, the session cookie, CSRF, passwords and the language."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from casework.trail.models import AccessLogEntry
from casework.users import service as users
from casework.users.models import User
from tests.factories import PASSWORD
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.helpers import Browser, text_of

pytestmark = SQLITE_ONLY


def test_a_page_sends_someone_not_signed_in_to_sign_in_and_back(browser):
    person = browser()
    response = person.get("/cases?state=found")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fcases%3Fstate%3Dfound"
    signed_in = person.sign_in("clerk", next="/cases?state=found")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/cases?state=found"
    assert person.get("/cases?state=found").status_code == 200


def test_the_api_keeps_answering_401_json_and_takes_no_cookie(browser):
    person = browser("clerk")
    response = person.client.get("/api/v1/cases")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "auth_required"
    # The API takes bearer tokens, not cookies: it needs no CSRF token either.
    token = person.client.post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORD})
    assert token.status_code == 200


def test_the_session_cookie_is_http_only_lax_and_secure_over_https(app, town):
    plain = Browser(app)
    cookie = plain.sign_in("clerk").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = Browser(app, https=True)
    response = secure.client.post("/sign-in", base_url="https://localhost", content_type="multipart/form-data",
                                  headers={**secure.headers, "Referer": "https://localhost/sign-in"},
                                  data={"csrf_token": secure.token(), "username": "clerk", "password": PASSWORD})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_is_said_on_the_form_and_logged_with_the_name_typed(browser, runtime):
    person = browser()
    response = person.sign_in("clerk", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in text_of(response)
    assert 'value="clerk"' in text_of(response)  # what was typed stays
    with runtime.sessions() as session:
        entry = session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
    assert (entry.action, entry.username, json.loads(entry.detail)["code"]) == ("signin.failed", "clerk",
                                                                                 "bad_credentials")


def test_repeated_failures_make_the_person_wait_as_the_api_does(browser):
    person = browser()
    for _ in range(5):
        assert person.sign_in("clerk", "wrong-password-1").status_code == 401
    response = person.sign_in("clerk", PASSWORD)
    assert response.status_code == 429
    assert "秒后再试" in text_of(response)


def test_an_empty_form_marks_the_fields(browser):
    response = browser().post("/sign-in", {"username": "", "password": ""})
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="f-username-error"' in page and 'aria-invalid="true"' in page


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_goes_back_only_to_this_site(browser, target):
    response = browser().sign_in("clerk", next=target)
    assert response.headers["Location"] == "/"


def test_sign_out_ends_the_session(browser):
    person = browser("clerk")
    assert person.post("/sign-out").status_code == 303
    assert person.get("/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(browser, api, town):
    case = api("leader").open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    person = browser("leader")
    response = person.post(f"/cases/{case['id']}/events", {"event": "note", "version": "1", "comment": "看过"},
                           csrf=False)
    assert response.status_code == 400
    assert "页面已过期" in text_of(response)
    assert api("leader").case(case["id"])["version"] == 1
    forged = person.post(f"/cases/{case['id']}/events", {"event": "note", "version": "1", "comment": "看过",
                                                         "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400


def test_disabling_a_user_voids_their_session(browser, runtime, town):
    person = browser("clerk")
    assert person.get("/").status_code == 200
    with runtime.transaction() as session:
        users.set_active(session=session, user=session.get(User, town.user("clerk")), active=False,
                         actor_id=town.user("admin"))
    response = person.get("/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert "登录已失效" in text_of(person.get(response.headers["Location"]))


def test_changing_the_password_voids_other_sessions_but_not_this_one(browser):
    here, elsewhere = browser("clerk"), browser("clerk")
    response = here.post("/password", {"old_password": PASSWORD, "new_password": "Another-secret-42",
                                       "new_password_again": "Another-secret-42"})
    assert response.status_code == 303
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_a_user_who_must_change_their_password_does_that_first(browser, runtime, town):
    with runtime.transaction() as session:
        session.execute(update(User).where(User.id == town.user("clerk")).values(must_change_password=True))
    person = browser()
    response = person.sign_in("clerk", next="/cases")
    assert response.headers["Location"] == "/password?next=%2Fcases"
    assert person.get("/cases").headers["Location"] == "/password?next=%2Fcases"
    page = text_of(person.get("/password?next=/cases"))
    assert "不符合当前的安全要求" in page
    wrong = person.post("/password", {"old_password": "nope-nope-1", "new_password": "Another-secret-42",
                                      "new_password_again": "Another-secret-42", "next": "/cases"})
    assert wrong.status_code == 422 and 'id="f-old_password-error"' in text_of(wrong)
    weak = person.post("/password", {"old_password": PASSWORD, "new_password": "short",
                                     "new_password_again": "short", "next": "/cases"})
    assert weak.status_code == 422 and 'id="f-new_password-error"' in text_of(weak)
    assert "密码至少 10 个字符" in text_of(weak)
    differ = person.post("/password", {"old_password": PASSWORD, "new_password": "Another-secret-42",
                                       "new_password_again": "Another-secret-43", "next": "/cases"})
    assert differ.status_code == 422 and "两次输入的新密码不一致" in text_of(differ)
    done = person.post("/password", {"old_password": PASSWORD, "new_password": "Another-secret-42",
                                     "new_password_again": "Another-secret-42", "next": "/cases"})
    assert done.status_code == 303 and done.headers["Location"] == "/cases"
    assert person.get("/cases").status_code == 200
    with runtime.sessions() as session:
        actions = session.scalars(select(AccessLogEntry.action).order_by(AccessLogEntry.id)).all()
    assert actions[-1] == "password.changed"


def test_pages_are_chinese_by_default_and_english_when_chosen(browser):
    person = browser("clerk")
    assert '<html lang="zh-CN">' in text_of(person.get("/")) and "我的工作" in text_of(person.get("/"))
    english = browser("clerk", language="en-US")
    assert "My work" in text_of(english.get("/"))
    assert person.post("/language", {"lang": "en", "next": "/cases"}).headers["Location"] == "/cases"
    page = text_of(person.get("/"))
    assert '<html lang="en">' in page and "My work" in page
    # What the person chose outlasts signing out, and the sign-in form speaks it.
    person.post("/sign-out")
    assert "Sign in" in text_of(person.get("/sign-in"))


def test_an_address_nobody_serves_is_a_page_for_a_browser_and_json_for_the_api(browser):
    person = browser("clerk")
    page = person.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html" and "页面不存在" in text_of(page)
    api = person.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"
