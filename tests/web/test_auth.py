"""Signing in: tokens that expire and die with their user, and a per-user backoff kept in the database."""

from __future__ import annotations

import re

import time
from datetime import datetime, timedelta, timezone

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from casework.idempotency.models import IdempotencyRecord
from casework.users.models import User
from casework.web.app import create_app

from tests.conftest import make_runtime
from tests.factories import PASSWORD
from tests.web.helpers import POSTGRES_ONLY, assert_error, sign_in

TOKEN = "/api/v1/auth/token"


def _login(client, username: str, password: str):
    return client.post(TOKEN, json={"username": username, "password": password})


def _stored(runtime, username: str) -> User:
    with runtime.sessions() as session:
        return session.scalars(select(User).where(User.username == username)).one()


@POSTGRES_ONLY
def test_a_token_comes_with_its_expiry_and_the_user(client, town):
    before = datetime.now(timezone.utc)
    response = _login(client, "clerk", PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "must_change_password", "user"}
    expires_at = datetime.fromisoformat(body["expires_at"])
    twelve_hours = timedelta(hours=12)
    assert before + twelve_hours - timedelta(seconds=5) <= expires_at <= datetime.now(timezone.utc) + twelve_hours
    assert body["user"]["username"] == "clerk"
    assert body["user"]["memberships"] == [{"unit_id": town.unit("village"), "unit_code": "T-V1", "role": "unit"}]
    assert not {"password_hash", "argon2", PASSWORD} & set(re.findall(r"[\w$-]+", response.get_data(as_text=True)))
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200


@POSTGRES_ONLY
def test_wrong_credentials_are_401_and_do_not_say_which_part_was_wrong(client, town):
    for username, password in [("clerk", "wrong-password"), ("nobody", PASSWORD), ("CLERK", PASSWORD)]:
        error = assert_error(_login(client, username, password), 401, "bad_credentials")
        assert error["message"] == "用户名或密码错误"


def test_five_failures_make_that_user_wait_and_the_wait_is_kept_in_the_database(runtime, client, town):
    for _ in range(5):
        assert_error(_login(client, "clerk", "wrong-password"), 401, "bad_credentials")
    # now even the right password has to wait
    response = _login(client, "clerk", PASSWORD)
    error = assert_error(response, 429, "login_backoff")
    assert int(response.headers["Retry-After"]) >= 1
    assert error["details"]["retry_after"] == int(response.headers["Retry-After"])
    stored = _stored(runtime, "clerk")
    assert stored.failed_logins == 5 and stored.locked_until > datetime.now(timezone.utc)
    # another process (a second app over the same database) sees the same wait
    assert_error(_login(create_app(runtime=runtime).test_client(), "clerk", PASSWORD), 429, "login_backoff")
    # others are not held up
    assert _login(client, "leader", PASSWORD).status_code == 200

    # once the wait is over, another failure doubles it
    with runtime.transaction() as session:
        session.execute(update(User).where(User.username == "clerk")
                        .values(locked_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert_error(_login(client, "clerk", "wrong-password"), 401, "bad_credentials")
    assert int(_login(client, "clerk", PASSWORD).headers["Retry-After"]) >= 2

    # and a success after the wait starts the count afresh
    with runtime.transaction() as session:
        session.execute(update(User).where(User.username == "clerk")
                        .values(locked_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert _login(client, "clerk", PASSWORD).status_code == 200
    stored = _stored(runtime, "clerk")
    assert (stored.failed_logins, stored.locked_until) == (0, None)


@POSTGRES_ONLY
def test_a_success_resets_the_count_of_failures(client, town):
    for _ in range(4):
        assert_error(_login(client, "clerk", "wrong-password"), 401)
    assert _login(client, "clerk", PASSWORD).status_code == 200
    for _ in range(4):
        assert_error(_login(client, "clerk", "wrong-password"), 401)
    assert _login(client, "clerk", PASSWORD).status_code == 200


def test_disabling_a_user_voids_their_token(client, town, login):
    clerk = login("clerk")
    assert client.get("/api/v1/cases", headers=clerk).status_code == 200
    response = client.patch(f"/api/v1/users/{town.user('clerk')}", json={"is_active": False}, headers=login("admin"))
    assert response.status_code == 200 and response.get_json()["is_active"] is False
    assert_error(client.get("/api/v1/cases", headers=clerk), 401, "token_invalid")
    assert_error(_login(client, "clerk", PASSWORD), 401, "bad_credentials")
    # enabling them again does not bring the old token back
    client.patch(f"/api/v1/users/{town.user('clerk')}", json={"is_active": True}, headers=login("admin"))
    assert_error(client.get("/api/v1/cases", headers=clerk), 401, "token_invalid")
    assert client.get("/api/v1/cases", headers=sign_in(client, "clerk")).status_code == 200


@POSTGRES_ONLY
def test_a_new_password_voids_old_tokens(client, town, login):
    clerk = login("clerk")
    response = client.patch(f"/api/v1/users/{town.user('clerk')}", json={"password": "A-brand-new-one1"},
                            headers=login("admin"))
    assert response.status_code == 200
    assert "password_hash" not in response.get_data(as_text=True) and "$argon2" not in response.get_data(as_text=True)
    assert_error(client.get("/api/v1/cases", headers=clerk), 401, "token_invalid")
    assert_error(_login(client, "clerk", PASSWORD), 401, "bad_credentials")
    assert client.get("/api/v1/cases", headers=sign_in(client, "clerk", "A-brand-new-one1")).status_code == 200


@POSTGRES_ONLY
def test_a_token_expires_after_the_configured_time(runtime, town, monkeypatch):
    runtime.settings = runtime.settings.with_(token_ttl=60)
    client = create_app(runtime=runtime).test_client()
    body = _login(client, "clerk", PASSWORD).get_json()
    expires_in = datetime.fromisoformat(body["expires_at"]) - datetime.now(timezone.utc)
    assert timedelta(seconds=55) < expires_in <= timedelta(seconds=60)
    headers = {"Authorization": f"Bearer {body['token']}"}

    def clock(offset: int):
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + offset)

    clock(50)
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    clock(61)
    assert_error(client.get("/api/v1/cases", headers=headers), 401, "token_invalid")


@POSTGRES_ONLY
def test_anything_but_a_good_bearer_token_is_401(client, town):
    for authorization, code in [
        (None, "auth_required"),
        ("", "auth_required"),
        ("Bearer", "auth_required"),
        ("Bearer    ", "auth_required"),
        ("Basic Y2xlcms6cGFzc3dvcmQ=", "auth_required"),
        ("Bearer garbage", "token_invalid"),
        ("Bearer " + "A" * 5000, "token_invalid"),
        ("Bearer eyJ1IjoxLCJnIjowfQ.Zx.Zx", "token_invalid"),
        ("Bearer \u4e2d\u6587", "token_invalid"),
    ]:
        headers = {} if authorization is None else {"Authorization": authorization}
        assert_error(client.get("/api/v1/cases", headers=headers), 401, code)


@POSTGRES_ONLY
def test_a_token_signed_with_another_key_is_401(client, town):
    forged = URLSafeTimedSerializer("not-our-secret", salt="casework.token").dumps({"u": town.user("admin"), "g": 0})
    assert_error(client.get("/api/v1/cases", headers={"Authorization": f"Bearer {forged}"}), 401, "token_invalid")


@POSTGRES_ONLY
def test_a_token_from_another_instance_is_401(runtime, town, tmp_path, request, client):
    token = _login(client, "admin", PASSWORD).get_json()["token"]
    (tmp_path / "other").mkdir()
    other = make_runtime("sqlite", tmp_path / "other", request)
    try:
        assert other.settings.secret_key != runtime.settings.secret_key
        response = create_app(runtime=other).test_client().get("/api/v1/cases",
                                                               headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "token_invalid")
    finally:
        other.close()


@POSTGRES_ONLY
def test_an_incomplete_sign_in_is_422(client, town):
    for body in ({}, {"username": "clerk"}, {"password": PASSWORD}, {"username": "", "password": ""},
                 {"username": "clerk", "password": PASSWORD, "remember": True}):
        assert_error(client.post(TOKEN, json=body), 422, "validation_failed")


@POSTGRES_ONLY
def test_sign_in_ignores_idempotency_keys(runtime, client, town):
    first = client.post(TOKEN, json={"username": "clerk", "password": PASSWORD}, headers={"Idempotency-Key": "k"})
    second = client.post(TOKEN, json={"username": "clerk", "password": PASSWORD}, headers={"Idempotency-Key": "k"})
    assert first.status_code == second.status_code == 200
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
