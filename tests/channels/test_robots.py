"""DingTalk and WeCom group robots, against a local HTTP server standing in for them: the payloads
they document, DingTalk's signed-secret mode, @mentions by mobile from level 2, what a refusal
and a "too fast" answer do, and text people typed that must not become markdown."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import timedelta
from urllib.parse import quote_plus

import pytest
from sqlalchemy import select

from casework.channels.models import Delivery, DeliveryAttempt

from tests.channels.conftest import BASE_URL, add_channel, open_case, sweep_at, sweep_now, work

SECRET = "SEC0f3b8e2d9a7c41d6b5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2"
TOKEN = "6b1c9f1e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e"


def _robot(configured, receiver, kind: str, **extra) -> int:
    target = (receiver.url(f"/robot/send?access_token={TOKEN}") if kind == "dingtalk"
              else receiver.url("/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"))
    return add_channel(configured, kind, target, unit="village", **extra)


def test_dingtalk_gets_signed_markdown_naming_the_case_and_mentioning_the_responsible_person(
        configured, village, receiver):
    _robot(configured, receiver, "dingtalk", secret=SECRET)
    sweep_at(configured, "2030-12-04T08:00")  # 4 days late: level 2, the village's leader
    before = int(time.time() * 1000)
    work(configured)
    [got] = receiver.got
    assert got.path == "/robot/send" and got.query["access_token"] == TOKEN
    timestamp = int(got.query["timestamp"])
    assert before - 60_000 <= timestamp <= int(time.time() * 1000)  # DingTalk refuses one an hour off
    # DingTalk's documented recipe, computed here independently: HMAC-SHA256(secret, "timestamp\nsecret"), base64
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert got.raw_query.endswith(f"&timestamp={timestamp}&sign={quote_plus(expected)}")  # URL-encoded
    body = got.json()
    assert body["msgtype"] == "markdown"
    text = body["markdown"]["text"]
    for part in (village["number"], "3户危房改造资料缺失", "青山村", "整改时限 2030-11-30", "已逾期 4 天",
                 "逾期督办(第2级)", f"({BASE_URL}/cases/{village['case']})", "@13800138000"):
        assert part in text, (part, text)
    assert body["markdown"]["title"].startswith("【逾期督办(第2级) · 已逾期 4 天】")
    assert body["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}
    assert len(text.encode()) < 600  # a phone's notification, not a page


def test_below_level_two_nobody_is_mentioned(configured, village, receiver):
    _robot(configured, receiver, "dingtalk")
    sweep_at(configured, "2030-12-01T08:00")  # 1 day late: level 1, the unit itself
    work(configured)
    [got] = receiver.got
    assert "timestamp" not in got.query and "sign" not in got.query  # no secret, no signature
    body = got.json()
    assert body["at"]["atMobiles"] == [] and "@" not in body["markdown"]["text"]
    assert "已逾期 1 天" in body["markdown"]["text"]


def test_a_found_case_nobody_was_assigned_mentions_those_told_to_act(configured, village, receiver):
    open_case(configured, village, title="无人认领的问题", days_late=4)  # level 2: the village's leader
    open_case(configured, village, title="交办了的问题", days_late=5, assignee="clerk")
    work(configured)
    _robot(configured, receiver, "dingtalk")
    sweep_now(configured)
    work(configured)
    [got] = receiver.got  # both cases in one digest
    assert got.json()["at"]["atMobiles"] == ["13800138000", "13900139000"]  # the assignee; the village leader
    text = got.json()["markdown"]["text"]
    assert text.index("交办了的问题") < text.index("无人认领的问题")  # the longer overdue first


def test_wecom_gets_markdown_and_text_when_someone_is_to_be_mentioned(configured, village, receiver):
    _robot(configured, receiver, "wecom")
    sweep_at(configured, "2030-12-01T08:00")  # level 1: markdown
    work(configured)
    sweep_at(configured, "2030-12-04T08:00")  # level 2: WeCom mentions by mobile only in text messages
    work(configured)
    first, second = receiver.got
    assert first.path == "/cgi-bin/webhook/send" and first.query["key"].startswith("693a91f6")
    assert first.json()["msgtype"] == "markdown"
    assert "**" + village["number"] + "**" in first.json()["markdown"]["content"]
    assert second.json()["msgtype"] == "text"
    assert second.json()["text"]["mentioned_mobile_list"] == ["13800138000"]
    assert "已逾期 4 天" in second.json()["text"]["content"] and "**" not in second.json()["text"]["content"]


def test_text_people_typed_stays_text(configured, village, receiver):
    open_case(configured, village, title="<@all> [点此领取](http://evil.example) **急**", days_late=1)
    work(configured)
    _robot(configured, receiver, "dingtalk")
    _robot(configured, receiver, "wecom")
    sweep_now(configured)
    work(configured)
    dingtalk = next(g.json() for g in receiver.got if g.path == "/robot/send")["markdown"]["text"]
    wecom = next(g.json() for g in receiver.got if g.path != "/robot/send")
    wecom = wecom.get("markdown", wecom.get("text"))["content"]
    for text in (dingtalk, wecom):
        assert "<@all>" not in text and "](http://evil.example)" not in text and "**急**" not in text
        assert "＜@all＞ ［点此领取］(http://evil.example) ＊＊急＊＊" in text  # still readable


def _deliveries(configured) -> list[tuple[str, int, str | None]]:
    with configured.sessions() as session:
        return [(d.status, d.attempts, d.last_error) for d in session.scalars(select(Delivery).order_by(Delivery.id))]


def test_a_robot_that_refuses_is_not_asked_again(configured, village, receiver):
    receiver.otherwise = (200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc…]"})
    _robot(configured, receiver, "dingtalk", secret=SECRET)
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    work(configured, later=timedelta(hours=2))
    [(status, attempts, error)] = _deliveries(configured)
    assert (status, attempts, len(receiver.got)) == ("failed", 1, 1)
    assert "errcode 310000" in error and "sign not match" in error


def test_a_robot_sending_too_fast_is_asked_again_later(configured, village, receiver):
    receiver.script = [(200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})]
    _robot(configured, receiver, "dingtalk")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    [(status, attempts, _error)] = _deliveries(configured)
    assert (status, attempts) == ("waiting", 1)
    with configured.sessions() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert (delivery.next_attempt_at - session.scalars(select(DeliveryAttempt.at)).one()).total_seconds() >= 60
    work(configured, later=timedelta(minutes=2))
    assert _deliveries(configured)[0][:2] == ("sent", 2)
    assert receiver.got[0].body == receiver.got[1].body  # the same message again


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_two_clerks_told_of_one_step_make_one_message_in_their_village_s_group(configured, village, receiver):
    _robot(configured, receiver, "dingtalk")
    sweep_at(configured, "2030-11-29T08:00")  # the reminder, to both clerks
    work(configured)
    [got] = receiver.got
    assert "即将到期 · 还剩 1 天" in got.json()["markdown"]["text"]
