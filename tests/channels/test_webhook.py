"""The generic JSON webhook against a local HTTP server: what it carries, its HMAC, and delivery —
retried after a 5xx or a network error with backoff, never after a 4xx or a redirect, each attempt
recorded, finally failed and listed by `casework jobs failed` — while the inbox keeps each
notification exactly once."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from casework.channels.models import Delivery, DeliveryAttempt
from casework.cli import main
from casework.jobs.execute import execute
from casework.notifications.models import Notification
from casework.notifications.service import OUTBOUND
from casework.outbox.models import OutboxMessage

from tests.channels.conftest import BASE_URL, add_channel, sweep_at, work

SECRET = "whsec_9c1e5f0a7b3d4e2f8a6b1c0d"


def _attempts(runtime) -> list[tuple[int, bool, bool, int | None]]:
    with runtime.sessions() as session:
        return [(a.number, a.ok, a.will_retry, a.status_code)
                for a in session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))]


def _delivery(runtime) -> Delivery:
    with runtime.sessions() as session:
        return session.scalars(select(Delivery).where(Delivery.test.is_(False))).one()


def _cli(runtime, *args: str):
    env = {"CASEWORK_DATABASE_URL": runtime.engine.url.render_as_string(hide_password=False),
           "CASEWORK_INSTANCE_DIR": str(runtime.settings.instance_dir), "CASEWORK_REDIS_URL": ""}
    return CliRunner().invoke(main, list(args), env=env)


def test_the_payload_carries_the_notification_ids_and_an_hmac_of_its_exact_bytes(configured, village, receiver):
    add_channel(configured, "webhook", receiver.url("/county/notify"), unit="village", secret=SECRET)
    add_channel(configured, "webhook", receiver.url("/unsigned"), unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    signed = next(g for g in receiver.got if g.path == "/county/notify")
    unsigned = next(g for g in receiver.got if g.path == "/unsigned")
    expected = "sha256=" + hmac.new(SECRET.encode(), signed.body, hashlib.sha256).hexdigest()
    assert signed.headers["X-Casework-Signature"] == expected
    assert "X-Casework-Signature" not in unsigned.headers
    assert signed.headers["Content-Type"] == "application/json; charset=utf-8"
    body = signed.json()
    with configured.sessions() as session:
        ids = session.scalars(select(Notification.id).where(Notification.kind == "escalation")).all()
    assert body["notification_ids"] == list(ids) and len(ids) == 1
    assert signed.headers["X-Casework-Delivery"] == str(body["delivery_id"])
    [item] = body["items"]
    assert item == {"notification_ids": list(ids), "kind": "escalation", "level": 2, "case_id": village["case"],
                    "number": village["number"], "title": "3户危房改造资料缺失", "village": "青山村",
                    "deadline": "2030-11-30", "days_late": 4, "days_left": 0, "url": f"{BASE_URL}/cases/{village['case']}",
                    "text": item["text"]}
    assert "已逾期 4 天" in item["text"] and body["digest"] is False and body["type"] == "casework.notifications"
    assert "已逾期 4 天" in body["text"] and body["link"] == f"{BASE_URL}/cases/{village['case']}"
    assert "13800138000" not in signed.body.decode()  # mobiles are for robots' @mentions only


def test_a_5xx_is_tried_again_after_a_pause_and_each_attempt_is_recorded(configured, village, receiver):
    receiver.script = [(500, {"error": "boom"}), (502, b"<html>bad gateway</html>")]
    add_channel(configured, "webhook", receiver.url(), unit="village", secret=SECRET)
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    first = _delivery(configured)
    assert (first.status, first.attempts) == ("waiting", 1)
    assert 9 <= (first.next_attempt_at - first.created_at).total_seconds() <= 15  # the first pause: 10 s
    work(configured)  # nothing is due yet
    assert len(receiver.got) == 1
    work(configured, later=timedelta(seconds=11))
    assert (_delivery(configured).status, len(receiver.got)) == ("waiting", 2)
    work(configured, later=timedelta(minutes=2))  # the second pause: a minute
    assert _delivery(configured).status == "sent"
    assert _attempts(configured) == [(1, False, True, 500), (2, False, True, 502), (3, True, False, 200)]
    # the same notification each time: a receiver that got it twice drops the repeat by its id
    assert len({json.dumps(g.json()["notification_ids"]) for g in receiver.got}) == 1
    with configured.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "escalation")) == 1


def test_a_4xx_is_not_tried_again_and_shows_as_failed(configured, village, receiver):
    receiver.otherwise = (400, {"error": "unknown township"})
    channel_id = add_channel(configured, "webhook", receiver.url(), unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    work(configured, later=timedelta(hours=2))
    delivery = _delivery(configured)
    assert (delivery.status, delivery.attempts, len(receiver.got)) == ("failed", 1, 1)
    assert _attempts(configured) == [(1, False, False, 400)]
    assert "HTTP 400" in delivery.last_error and "unknown township" in delivery.last_error
    listed = _cli(configured, "jobs", "failed")
    assert listed.exit_code == 0, listed.output
    assert f"delivery-{delivery.id}" in listed.output and f"webhook #{channel_id}" in listed.output
    assert "HTTP 400" in listed.output
    # once the other end is fixed, the operator puts it back
    receiver.otherwise = (200, {"ok": True})
    again = _cli(configured, "jobs", "requeue", f"delivery-{delivery.id}")
    assert again.output == "1 job(s) requeued\n"
    work(configured)
    assert (_delivery(configured).status, len(receiver.got)) == ("sent", 2)


def test_after_five_attempts_it_gives_up(configured, village, receiver):
    receiver.otherwise = (503, {"error": "maintenance"})
    add_channel(configured, "webhook", receiver.url(), unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    for _ in range(6):
        work(configured, later=timedelta(hours=1))
    delivery = _delivery(configured)
    assert (delivery.status, delivery.attempts, len(receiver.got)) == ("failed", 5, 5)
    assert [retry for _n, _ok, retry, _s in _attempts(configured)] == [True, True, True, True, False]
    assert "HTTP 503" in delivery.last_error and "5" in delivery.last_error


def test_a_redirect_is_not_followed(configured, village, receiver):
    receiver.otherwise = (302, {})
    add_channel(configured, "webhook", receiver.url("/old"), unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    assert [g.path for g in receiver.got] == ["/old"]
    assert _delivery(configured).status == "failed"


def test_a_network_error_is_tried_again(configured, village):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    add_channel(configured, "webhook", f"http://127.0.0.1:{port}/hook", unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    delivery = _delivery(configured)
    assert (delivery.status, delivery.attempts) == ("waiting", 1)
    assert "ConnectionError" in delivery.last_error


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_jobs_run_twice_send_once_and_the_inbox_keeps_each_notification_once(configured, village, receiver):
    add_channel(configured, "webhook", receiver.url(), unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    with configured.sessions() as session:
        [fan_out] = session.scalars(select(OutboxMessage.id).where(OutboxMessage.topic == OUTBOUND,
                                                                   OutboxMessage.done_at.is_(None))).all()
    assert execute(configured, fan_out)
    assert not execute(configured, fan_out)  # a duplicated job finds its row done
    sweep_at(configured, "2030-12-04T08:00")  # the sweep again: nothing new
    work(configured)
    with configured.sessions() as session:
        sends = session.scalars(select(OutboxMessage.id).where(OutboxMessage.topic == "channels.send")).all()
    for send in sends:  # the send job again, as RQ would after a lost acknowledgement
        with configured.transaction() as session:
            session.get(OutboxMessage, send).done_at = None
        execute(configured, send)
    assert len(receiver.got) == 1
    with configured.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "escalation")) == 1
        assert session.scalar(select(func.count()).select_from(Delivery)) == 1
