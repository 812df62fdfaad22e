"""Channels over HTTP: admins add them for the units and people they administer; the secret goes in
and never comes out, nor the robot's key in the target; the test button reports what the other end
answered; a failing channel shows its error on the list; and no log line holds a key or a secret."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from casework.channels.models import Channel
from casework.web.app import create_app

from tests.channels.conftest import BASE_URL, add_channel, receiver, sweep_at, work  # noqa: F401 - a fixture
from tests.factories import Factory
from tests.web.helpers import POSTGRES_ONLY, Api, assert_error, sign_in

SECRET = "SEC7d1e0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d"
TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a"

pytestmark = POSTGRES_ONLY


@pytest.fixture
def api(runtime, town):
    """`api("admin")`: calls by a signed-in person, to an app whose channels may post to this machine."""
    runtime.settings = runtime.settings.with_(base_url=BASE_URL, channels_private=True)
    client = create_app(runtime=runtime).test_client()
    return lambda name: Api(client, sign_in(client, name))


def _robot(api, receiver, town, **extra):
    return api("admin").post("/api/v1/channels", json={
        "kind": "dingtalk", "target": receiver.url(f"/robot/send?access_token={TOKEN}"),
        "unit_id": town.unit("village"), "name": "青山村工作群", **extra})


def test_the_secret_and_the_robot_s_key_never_come_back(api, receiver, town, runtime, caplog):
    caplog.set_level(logging.DEBUG)
    made = _robot(api, receiver, town, secret=SECRET)
    assert made.status_code == 201, made.get_json()
    channel = made.get_json()
    assert channel["kind"] == "dingtalk" and channel["has_secret"] is True and channel["unit_id"] == town.unit("village")
    assert channel["target"] == receiver.url("/robot/send?access_token=…1b0a")
    assert channel["owner_name"] == "青山村"
    assert channel["last_error"] is None and channel["failing"] is False
    tested = api("admin").post(f"/api/v1/channels/{channel['id']}/test")
    assert tested.status_code == 200 and tested.get_json()["ok"] is True, tested.get_json()
    [got] = receiver.got
    assert got.query["access_token"] == TOKEN and got.query["sign"]  # the robot got key and signature
    assert "测试消息" in got.json()["markdown"]["text"] and "青山村工作群" in got.json()["markdown"]["text"]
    answers = [made, tested, api("admin").get("/api/v1/channels"), api("admin").get(f"/api/v1/channels/{channel['id']}"),
               api("admin").get(f"/api/v1/channels/{channel['id']}/deliveries"),
               api("admin").patch(f"/api/v1/channels/{channel['id']}", json={"name": "青山村两委群"}),
               api("auditor").get("/api/v1/audit/admin-log?target_type=unit"
                                  f"&target_id={town.unit('village')}")]
    for answer in answers:
        assert answer.status_code == 200 or answer.status_code == 201, answer.get_json()
        text = answer.get_data(as_text=True)
        assert SECRET not in text and TOKEN not in text and "secret_sealed" not in text
    with runtime.sessions() as session:  # sealed in the database too
        row = session.get(Channel, channel["id"])
        assert SECRET not in row.secret_sealed and TOKEN not in row.target_sealed
    assert caplog.records and SECRET not in caplog.text and TOKEN not in caplog.text


def test_a_failing_channel_shows_its_error_to_an_admin(api, receiver, town, runtime):
    receiver.otherwise = (200, {"errcode": 300001, "errmsg": "token is not exist"})
    channel = _robot(api, receiver, town).get_json()
    tested = api("admin").post(f"/api/v1/channels/{channel['id']}/test").get_json()
    assert tested["ok"] is False and tested["status"] == 200 and "300001" in tested["answer"]
    assert tested["error"] == "机器人拒绝了消息(errcode 300001)"
    # a real notification fails the same way, and the list says so
    with runtime.transaction() as session:
        make = Factory(session)
        from casework.users.models import User

        leader = session.get(User, town.user("leader"))
        make.case("village", by=leader, deadline="2030-11-30", title="饮水安全问题")
    sweep_at(runtime, "2030-12-04T08:00")
    work(runtime)
    [listed] = api("admin").get("/api/v1/channels").get_json()["items"]
    assert listed["failed"] == 1 and listed["waiting"] == 0
    assert "errcode 300001" in listed["last_error"] and "token is not exist" in listed["last_error"]
    [delivery, test] = api("admin").get(f"/api/v1/channels/{channel['id']}/deliveries").get_json()["items"]
    assert delivery["status"] == "failed" and test["test"] is True
    assert [(t["ok"], t["will_retry"]) for t in delivery["tries"]] == [(False, False)]


def test_only_admins_over_the_owner_manage_its_channels(api, receiver, town):
    assert_error(api("leader").post("/api/v1/channels", json={
        "kind": "email", "target": "qs@example.gov.cn", "unit_id": town.unit("village")}), 403)
    channel = _robot(api, receiver, town).get_json()
    assert_error(api("outsider").get(f"/api/v1/channels/{channel['id']}"), 403)  # not an admin at all
    for refused, field in (({"kind": "email", "target": "张三"}, "target"),
                           ({"kind": "fax", "target": "qs@example.gov.cn"}, "kind"),
                           ({"kind": "email", "target": "qs@example.gov.cn", "user_id": town.user("clerk")},
                            "unit_id")):
        answer = api("admin").post("/api/v1/channels", json={"unit_id": town.unit("village"), **refused})
        assert_error(answer, 422)
        assert field in str(answer.get_json()["error"]["details"]), answer.get_json()
    person = api("admin").post("/api/v1/channels", json={"kind": "email", "target": "zhao@example.gov.cn",
                                                         "user_id": town.user("clerk")})
    assert person.status_code == 201 and person.get_json()["owner_name"]
    admin = api("admin")
    assert admin.client.delete(f"/api/v1/channels/{channel['id']}", headers=admin.headers).status_code == 204
    assert_error(api("admin").get(f"/api/v1/channels/{channel['id']}"), 404, "channel_not_found")


def test_a_private_address_is_refused_unless_the_install_allows_it(runtime, town):
    client = create_app(runtime=runtime).test_client()
    answer = Api(client, sign_in(client, "admin")).post("/api/v1/channels", json={
        "kind": "webhook", "target": "http://10.0.0.8/notify", "unit_id": town.unit("village")})
    error = assert_error(answer, 422)
    assert "CASEWORK_CHANNELS_PRIVATE" in error["message"] + str(error["details"])


def test_the_test_button_keeps_to_the_robot_s_rate(api, receiver, town):
    channel = _robot(api, receiver, town).get_json()
    answers = [api("admin").post(f"/api/v1/channels/{channel['id']}/test") for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert int(answers[-1].headers.get("Retry-After", "1")) >= 1
    assert len(receiver.got) == 10


def test_an_admin_sets_a_mobile_and_answers_show_only_its_last_four_digits(api, town):
    changed = api("admin").patch(f"/api/v1/users/{town.user('clerk')}", json={"mobile": "+86 138-0013-8000"})
    assert changed.status_code == 200 and changed.get_json()["mobile"] == "*******8000"
    assert "13800138000" not in api("admin").get(f"/api/v1/users/{town.user('clerk')}").get_data(as_text=True)
    assert_error(api("admin").patch(f"/api/v1/users/{town.user('clerk')}", json={"mobile": "12345"}), 422)
    assert_error(api("village_leader").patch(f"/api/v1/users/{town.user('clerk')}", json={"mobile": "13800138000"}),
                 403)
    assert api("admin").patch(f"/api/v1/users/{town.user('clerk')}", json={"mobile": None}).get_json()["mobile"] is None


def test_the_deliveries_show_each_attempt(api, receiver, town, runtime):
    receiver.script = [(500, {"error": "boom"})]
    api("admin").post("/api/v1/channels", json={"kind": "webhook", "target": receiver.url("/county"),
                                                "unit_id": town.unit("village")})
    with runtime.transaction() as session:
        from casework.users.models import User

        Factory(session).case("village", by=session.get(User, town.user("leader")), deadline="2030-11-30",
                              title="饮水安全问题")
    sweep_at(runtime, "2030-12-04T08:00")
    work(runtime)
    work(runtime, later=timedelta(seconds=30))
    [listed] = api("admin").get("/api/v1/channels").get_json()["items"]
    [delivery] = api("admin").get(f"/api/v1/channels/{listed['id']}/deliveries").get_json()["items"]
    assert delivery["status"] == "sent" and delivery["notification_ids"]
    assert [(t["number"], t["ok"], t["status_code"], t["will_retry"]) for t in delivery["tries"]] == \
        [(1, False, 500, True), (2, True, 200, False)]
    assert listed["last_error"] and listed["last_sent_at"]  # the error stays as history once it is sent
