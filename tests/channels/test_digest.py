"""A burst: a morning's sweep finding 80 overdue cases in one village reaches each of the village's
channels as one digest, not 80 posts; notifications that come one by one still keep to a robot's
rate (about 20 a minute for DingTalk); and an install without channels adds no work for them."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework.channels.models import ChannelBucket, Delivery
from casework.notifications.models import Notification
from casework.notifications.service import OUTBOUND, deliver
from casework.outbox.models import OutboxMessage

from tests.channels.conftest import BASE_URL, add_channel, open_case, sweep_now, work
from tests.factories import Factory

TOKEN = "6b1c9f1e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e"
POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def _eighty_late(runtime, village) -> None:
    """80 more cases of the village, 1 to 3 days overdue (level 1: the village's clerks hear of them)."""
    from casework.campaigns.models import Campaign
    from casework.users.models import User

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    with runtime.transaction() as session:
        make = Factory(session)
        make._campaign = session.get(Campaign, village["campaign"])
        leader = session.get(User, village["leader"])
        for i in range(80):
            make.case("village", by=leader, deadline=(today - timedelta(days=1 + i % 3)).isoformat(),
                      title=f"第{i + 1}户危房改造资料缺失")


@POSTGRES
def test_a_sweep_of_80_overdue_cases_reaches_each_channel_as_one_digest(configured, village, receiver):
    _eighty_late(configured, village)
    work(configured)
    add_channel(configured, "dingtalk", receiver.url(f"/robot/send?access_token={TOKEN}"), unit="village")
    add_channel(configured, "webhook", receiver.url("/county"), unit="village")
    sweep_now(configured)
    work(configured)
    robot = [g for g in receiver.got if g.path == "/robot/send"]
    county = [g for g in receiver.got if g.path == "/county"]
    assert len(robot) == 1 and len(county) == 1  # one message each, not 80
    text = robot[0].json()["markdown"]["text"]
    assert text.startswith("#### 催办督办汇总 · 共 80 件")
    assert len(text.encode()) <= 4000 and "……另有" in text and "件未列出" in text  # it says what it left out
    assert "已逾期 3 天" in text.split("\n")[2]  # the longest overdue first
    body = county[0].json()
    assert body["digest"] is True and len(body["items"]) == 80
    with configured.sessions() as session:
        told = session.scalars(select(Notification.id).where(Notification.kind == "escalation")).all()
    # both clerks were told of each case: the village's channels carry every notification, one item a case
    assert sorted(body["notification_ids"]) == sorted(told) and len(told) == 160
    sweep_now(configured)  # the same day again: nothing new to say
    work(configured)
    assert len(receiver.got) == 2


def _time_passes(runtime, delta: timedelta) -> None:
    """As if `delta` went by: every slot, wake-up time and bucket moved that much into the past (a
    send checks its slot against the clock, so waking it early would not do)."""
    with runtime.transaction() as session:
        for delivery in session.scalars(select(Delivery)):
            delivery.slot_at = delivery.slot_at and delivery.slot_at - delta
            delivery.next_attempt_at = delivery.next_attempt_at and delivery.next_attempt_at - delta
        for bucket in session.scalars(select(ChannelBucket)):
            bucket.at -= delta


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_one_by_one_a_robot_gets_no_more_than_its_rate(configured, village, receiver):
    channel_id = add_channel(configured, "dingtalk", receiver.url(f"/robot/send?access_token={TOKEN}"),
                             unit="village")
    with configured.transaction() as session:  # 25 steps told one at a time (not a sweep's batch)
        for i in range(25):
            deliver(session=session, user_ids=[village["clerk"]], kind="returned", code="n_returned",
                    params={"number": village["number"], "title": f"退回{i}", "reason": "照片不清晰"},
                    case_id=village["case"], dedupe_key=f"test:returned:{i}")
    work(configured)
    assert len(receiver.got) == 10  # the bucket's burst; the rest wait for their turn
    with configured.sessions() as session:
        waiting = session.scalars(select(Delivery).where(Delivery.channel_id == channel_id,
                                                         Delivery.status == "waiting")
                                  .order_by(Delivery.next_attempt_at)).all()
    assert len(waiting) == 15
    gaps = [(b.next_attempt_at - a.next_attempt_at).total_seconds() for a, b in zip(waiting, waiting[1:])]
    assert all(5.5 <= gap <= 6.5 for gap in gaps), gaps  # then one every 6 s: 10 a minute
    _time_passes(configured, timedelta(minutes=3))
    work(configured, later=timedelta(0))
    assert len(receiver.got) == 25


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_without_a_channel_in_use_notifications_add_no_outbound_work(configured, village, receiver):
    def outbound() -> int:
        with configured.sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.topic == OUTBOUND))

    open_case(configured, village, title="逾期未改", days_late=2, assignee="clerk")
    sweep_now(configured)
    work(configured)
    assert outbound() == 0  # nothing for a worker to do (a --burst worker would leave it waiting)
    add_channel(configured, "webhook", receiver.url(), unit="village")
    open_case(configured, village, title="又一件逾期未改", days_late=2, assignee="clerk")
    sweep_now(configured)
    work(configured)
    assert outbound() == 2  # the new case's assignment notice; the sweep's batch
    assert len(receiver.got) == 2


def test_a_notice_about_no_case_carries_the_whole_address_of_its_link(configured, village, receiver):
    # The morning's daily-report notice names the report by the app's own path in the inbox.
    add_channel(configured, "webhook", receiver.url("/mine"), user_id=village["leader"])
    with configured.transaction() as session:
        deliver(session=session, user_ids=[village["leader"]], kind="daily_report", code="n_daily_report",
                dedupe_key="daily:test", params={"campaign": "大排查", "date": "2026-11-30", "campaign_id": 1,
                                                 "link": "/api/v1/reports/daily.pdf?campaign_id=1"})
    work(configured)
    (got,) = [g for g in receiver.got if g.path == "/mine"]
    whole = f"{BASE_URL}/api/v1/reports/daily.pdf?campaign_id=1"
    body = got.json()
    assert whole in body["items"][0]["text"] and "请查看:/api" not in body["items"][0]["text"]
