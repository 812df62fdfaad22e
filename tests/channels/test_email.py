"""E-mail against a real SMTP server (aiosmtpd) started by the test: plain, STARTTLS and TLS with a
login; the headers, the Chinese subject as RFC 2047 words, the body; and what a refusal does."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from casework.channels.models import Delivery

from tests.channels.conftest import BASE_URL, MAIL_PASSWORD, MAIL_USER, add_channel, sweep_at, work

ADDRESS = "qingshan@example.gov.cn"


def _configure(runtime, smtp) -> None:
    runtime.settings = runtime.settings.with_(smtp=smtp)


def _delivery(runtime) -> Delivery:
    with runtime.sessions() as session:
        return session.scalars(select(Delivery)).one()


@pytest.mark.parametrize(("security", "login"), [("none", False), ("starttls", True), ("ssl", True)])
def test_an_escalation_arrives_as_a_readable_chinese_e_mail(configured, village, mail_server, security, login):
    smtp, mailbox = mail_server(security, login=login)
    _configure(configured, smtp)
    add_channel(configured, "email", ADDRESS, unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    [got] = mailbox.messages
    assert got["to"] == [ADDRESS] and got["from"] == "casework@example.gov.cn"
    assert bool(got["authenticated"]) is login
    mail = got["mail"]
    head = got["raw"].decode("ascii").split("\r\n\r\n")[0]  # all of it 7-bit: the body is base64
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    raw_subject = re.search(r"^Subject: (.*)$", unfolded, re.MULTILINE).group(1).strip()
    assert raw_subject.lower().startswith("=?utf-8?")  # RFC 2047 encoded words
    subject = str(make_header(decode_header(raw_subject)))
    assert subject == f"【逾期督办(第2级) · 已逾期 4 天】{village['number']} 3户危房改造资料缺失"
    assert mail["Subject"] == subject
    assert mail["From"] == "casework@example.gov.cn" and mail["To"] == ADDRESS and mail["Date"]
    with configured.sessions() as session:
        delivery = session.scalars(select(Delivery)).one()
    assert mail["Message-ID"] == f"<casework.delivery.{delivery.id}@example.gov.cn>"
    assert mail["X-Casework-Delivery"] == str(delivery.id) and mail["X-Casework-Notifications"]
    assert mail.get_content_type() == "text/plain" and mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    for part in ("【逾期督办(第2级) · 已逾期 4 天】", f"{village['number']} 3户危房改造资料缺失",
                 "青山村 · 整改时限 2030-11-30", f"查看事项:{BASE_URL}/cases/{village['case']}",
                 "此邮件由整改系统自动发送"):
        assert part in body, (part, body)
    assert "**" not in body and "####" not in body  # plain text, not markdown


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_wrong_password_is_not_tried_again(configured, village, mail_server):
    smtp, mailbox = mail_server("starttls", login=True)
    _configure(configured, replace(smtp, password="not-" + MAIL_PASSWORD))
    add_channel(configured, "email", ADDRESS, unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    delivery = _delivery(configured)
    assert (delivery.status, delivery.attempts, mailbox.messages) == ("failed", 1, [])
    assert "535" in delivery.last_error
    assert MAIL_USER not in delivery.last_error and MAIL_PASSWORD not in delivery.last_error


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_mailbox_busy_now_is_tried_again_and_one_that_does_not_exist_is_not(configured, village, mail_server):
    smtp, mailbox = mail_server("none")
    _configure(configured, smtp)
    add_channel(configured, "email", ADDRESS, unit="village")
    mailbox.refuse = ["451 4.2.1 Mailbox busy, try later"]
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    assert (_delivery(configured).status, _delivery(configured).attempts) == ("waiting", 1)
    work(configured, later=timedelta(seconds=30))
    assert _delivery(configured).status == "sent" and len(mailbox.messages) == 1
    mailbox.refuse = ["550 5.1.1 No such user"]
    sweep_at(configured, "2030-12-08T08:00")  # level 3 goes to the township: no e-mail for the village
    sweep_at(configured, "2030-11-29T08:00")
    with configured.transaction() as session:  # another step for the village: a fresh delivery
        from casework.notifications.service import deliver

        deliver(session=session, user_ids=[village["clerk"]], kind="returned", code="n_returned",
                params={"number": village["number"], "title": "3户危房改造资料缺失", "reason": "照片不清晰"},
                case_id=village["case"], dedupe_key="test:returned")
    work(configured)
    with configured.sessions() as session:
        last = session.scalars(select(Delivery).order_by(Delivery.id.desc())).first()
    assert (last.status, last.attempts) == ("failed", 1) and "550" in last.last_error


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_without_a_mail_server_an_e_mail_channel_says_so(configured, village):
    add_channel(configured, "email", ADDRESS, unit="village")
    sweep_at(configured, "2030-12-04T08:00")
    work(configured)
    delivery = _delivery(configured)
    assert delivery.status == "failed" and "CASEWORK_SMTP_HOST" in delivery.last_error
