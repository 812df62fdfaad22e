"""Gaps found by probing the API as an attacker and an unlucky operator would, each closed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from casework.cases.models import Case
from casework.errors import Conflict, Unprocessable
from casework.trail.models import AccessLogEntry
from casework.units import service as units
from casework.users import service as users
from casework.users import signin
from casework.users.models import User
from casework.users.passwords import hash_password
from casework.web.app import create_app

from tests.factories import PASSWORD
from tests.web.helpers import POSTGRES_ONLY, assert_error, sign_in


def _case_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Case))


# --- 1. nobody locks the install out of its own administration -------------------------------------
def test_an_admin_cannot_disable_themselves(town, as_):
    response = as_("admin").patch(f"/api/v1/users/{town.user('admin')}", {"is_active": False})
    assert_error(response, 403, "cannot_disable_self")
    assert as_("admin").get("/api/v1/units").status_code == 200


def test_the_last_admin_over_the_whole_tree_stays(runtime, town, as_, client):
    with runtime.transaction() as session:
        admin = session.get(User, town.user("admin"))
        with pytest.raises(Conflict) as refused:
            users.set_active(session=session, user=admin, active=False, actor_id=None)  # e.g. from the CLI
        assert refused.value.code == "last_admin"
        second = users.create(session=session, username="admin2", password=PASSWORD,
                              memberships=[(units.by_code(session=session, code="T"), "admin")])
        second_id = second.id
    # with a second admin over the tree, one may disable the other
    response = as_("admin").patch(f"/api/v1/users/{second_id}", {"is_active": False})
    assert response.status_code == 200 and response.get_json()["is_active"] is False


# --- 2. parallel guesses are limited exactly as sequential ones ------------------------------------
@POSTGRES_ONLY
def test_48_guesses_sent_16_at_a_time_check_only_5_passwords(runtime, town, monkeypatch):
    checked, lock = [], threading.Lock()
    real_verify = signin.verify_password

    def counting(password_hash, password):
        with lock:
            checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(signin, "verify_password", counting)
    app = create_app(runtime=runtime)

    def guess(i):
        client = app.test_client()
        return client.post("/api/v1/auth/token", json={"username": "clerk", "password": f"wrong-{i}"}).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(guess, range(48)))
    assert len(checked) == 5
    assert sorted(set(statuses)) == [401, 429] and statuses.count(401) == 5
    with runtime.sessions() as session:
        clerk = session.get(User, town.user("clerk"))
        assert clerk.failed_logins == 5  # the fifth failure set a 1 s wait, as one at a time would


# --- 3. an idempotent request has no crash window ---------------------------------------------------
class Killed(BaseException):
    """The process dying after the work but before the answer is kept (not an Exception: nothing
    may catch it on the way out)."""


def test_a_process_killed_before_the_answer_is_kept_leaves_nothing_behind(runtime, town, as_, monkeypatch):
    from casework.idempotency import service as idempotency

    body = {"campaign_id": town.campaign_id, "unit_id": town.unit("village"), "title": "村道路灯损坏"}
    real_store = idempotency.store

    def die(**_kwargs):
        raise Killed()

    monkeypatch.setattr(idempotency, "store", die)
    with pytest.raises(Killed):
        as_("leader").post("/api/v1/cases", body, headers={"Idempotency-Key": "crash-1"})
    assert _case_count(runtime) == 0  # the case and its answer commit together, or neither does
    monkeypatch.setattr(idempotency, "store", real_store)
    retried = as_("leader").post("/api/v1/cases", body, headers={"Idempotency-Key": "crash-1"})
    again = as_("leader").post("/api/v1/cases", body, headers={"Idempotency-Key": "crash-1"})
    assert retried.status_code == again.status_code == 201 and retried.get_json() == again.get_json()
    assert _case_count(runtime) == 1


@POSTGRES_ONLY
def test_eight_copies_of_one_request_at_once_open_one_case(runtime, town, app):
    headers = sign_in(app.test_client(), "leader") | {"Idempotency-Key": "burst-1"}
    body = {"campaign_id": town.campaign_id, "unit_id": town.unit("village"), "title": "同一问题重复提交"}
    barrier = threading.Barrier(8)

    def post(_i):
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/cases", json=body, headers=headers)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))
    assert {status for status, _ in answers} == {201}
    assert len({answer["id"] for _, answer in answers}) == 1
    assert _case_count(runtime) == 1


# --- 4 and 5. path parameters are checked like body fields ------------------------------------------
@pytest.mark.parametrize("url", ["/api/v1/workflows/%00?version=1", "/api/v1/workflows/%00", "/api/v1/workflows/A",
                                 "/api/v1/cases/%D9%A3", "/api/v1/cases/%EF%BC%93", "/api/v1/cases/03",
                                 "/api/v1/units/%D9%A3", "/api/v1/cases/1%00"])
def test_odd_path_parameters_are_not_found(town, as_, url):
    assert_error(as_("admin").get(url), 404)


def test_a_unit_tree_too_deep_is_refused_with_a_clear_message(session, make):
    parent = make.unit("village")
    with pytest.raises(Unprocessable) as refused:
        for depth in range(40):
            parent = units.create(session=session, name=f"第{depth}层", kind="work_team", parent=parent)
    assert refused.value.code == "unit_tree_too_deep"
    assert parent.path.count("/") - 1 == 16  # the deepest unit made sits at the limit


# --- 7. invisible and spoofing text ------------------------------------------------------------------
@pytest.mark.parametrize("title", ["\u200b\u200b\u200b", "\u200d \ufeff", "发票\u202egpj.exe", "正常\u2066标题\u2069"])
def test_titles_that_show_nothing_or_pretend_are_refused(town, as_, title):
    response = as_("leader").post("/api/v1/cases", {"campaign_id": town.campaign_id, "unit_id": town.unit("village"),
                                                    "title": title})
    error = assert_error(response, 422, "validation_failed")
    assert "title" in error["details"]["fields"]


def test_display_names_may_not_carry_direction_overrides(town, as_):
    response = as_("admin").patch(f"/api/v1/users/{town.user('clerk')}", {"display_name": "admin\u202e"})
    assert "display_name" in assert_error(response, 422)["details"]["fields"]


# --- 9. who signed in, and from where ------------------------------------------------------------------
def test_sign_ins_and_failures_are_in_the_access_log_with_the_address(runtime, town, client, as_):
    client.post("/api/v1/auth/token", json={"username": "clerk", "password": "Wrong-password-1"},
                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    client.post("/api/v1/auth/token", json={"username": "nobody", "password": "Wrong-password-1"},
                environ_base={"REMOTE_ADDR": "10.9.9.9"})
    client.post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORD},
                environ_base={"REMOTE_ADDR": "10.1.2.4"})
    log = as_("auditor").get("/api/v1/audit/access-log?limit=50").get_json()["items"]
    mine = [(e["action"], e["username"], e["address"]) for e in log if e["username"] in ("clerk", "nobody")]
    assert ("signin.failed", "clerk", "10.1.2.3") in mine and ("signin.ok", "clerk", "10.1.2.4") in mine
    assert ("signin.failed", "nobody", "10.9.9.9") in mine  # the whole tree's auditor sees unknown names too
    assert_error(as_("clerk").get("/api/v1/audit/access-log"), 403, "forbidden")


def test_an_auditor_of_another_village_does_not_see_these_sign_ins(runtime, town, client):
    with runtime.transaction() as session:
        users.create(session=session, username="auditor2", password=PASSWORD,
                     memberships=[(units.by_code(session=session, code="T-V2"), "auditor")])
    client.post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORD})
    headers = sign_in(client, "auditor2")
    seen = client.get("/api/v1/audit/access-log?limit=200", headers=headers).get_json()["items"]
    assert {e["username"] for e in seen} == {"auditor2"}


# --- 10. password rules, and changing one's own password -------------------------------------------
@pytest.mark.parametrize(("password", "reason"), [("Short-1", "password_too_short"),
                                                  ("alllowercase-letters", "password_too_simple"),
                                                  ("Wang.Fang2026", "password_is_username")])
def test_a_new_user_s_password_must_meet_the_rules(town, as_, password, reason):
    body = {"username": "wang.fang2026", "password": password,
            "memberships": [{"unit_id": town.unit("village"), "role": "unit"}]}
    error = assert_error(as_("admin").post("/api/v1/users", body), 422, "invalid_field")
    assert (error["details"]["field"], error["details"]["reason_code"]) == ("password", reason)


def test_a_password_that_breaks_the_rules_must_be_changed_first(runtime, town, client):
    with runtime.transaction() as session:
        session.execute(update(User).where(User.username == "clerk").values(password_hash=hash_password("weakpass")))
    response = client.post("/api/v1/auth/token", json={"username": "clerk", "password": "weakpass"})
    assert response.status_code == 200 and response.get_json()["must_change_password"] is True
    old = {"Authorization": f"Bearer {response.get_json()['token']}"}
    assert_error(client.get("/api/v1/cases", headers=old), 403, "password_change_required")

    weak = client.post("/api/v1/auth/password", json={"old_password": "weakpass", "new_password": "stillweak"},
                       headers=old)
    assert assert_error(weak, 422)["details"]["reason_code"] == "password_too_short"
    wrong = client.post("/api/v1/auth/password", json={"old_password": "guess", "new_password": "Much-better-2026"},
                        headers=old)
    assert assert_error(wrong, 422)["details"]["reason_code"] == "old_password_wrong"
    changed = client.post("/api/v1/auth/password", json={"old_password": "weakpass", "new_password": "Much-better-2026"},
                          headers=old)
    assert changed.status_code == 200 and changed.get_json()["must_change_password"] is False
    new = {"Authorization": f"Bearer {changed.get_json()['token']}"}
    assert client.get("/api/v1/cases", headers=new).status_code == 200
    assert_error(client.get("/api/v1/cases", headers=old), 401, "token_invalid")
    with runtime.sessions() as session:
        actions = session.scalars(select(AccessLogEntry.action).order_by(AccessLogEntry.id)).all()
    assert "password.changed" in actions
