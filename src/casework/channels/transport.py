"""Putting a message on the wire and saying what came back: HTTP POSTs to robots and webhooks
(with `requests`), e-mail over SMTP (with the standard library).

What may be tried again is decided here, once: a network error, a timeout, an HTTP 5xx, 408 or
429, an SMTP 4xx reply, or a robot saying it is sending too fast. A 4xx that will never succeed
(a bad key, a refused signature, an unknown address) is not retried, nor is a redirect (never
followed: a POST must not turn into a GET somewhere else).

Nothing here writes the target, a key or a secret anywhere: errors name what went wrong, not
where; answers are cut short and scrubbed of the channel's keys before anyone stores them.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import requests

from casework.channels import formats, signing, targets
from casework.channels.compose import Message
from casework.channels.kinds import ChannelKind
from casework.channels.service import Opened
from casework.config import SmtpSettings
from casework.i18n import translate

ANSWER_MAX = 500
CONNECT_TIMEOUT, READ_TIMEOUT = 5, 10
SMTP_TIMEOUT = 20
RETRY_AFTER_MAX = timedelta(hours=1)
# Robots answer 200 with an error code; these mean "later", not "never".
_ROBOT_BUSY = {ChannelKind.DINGTALK: {130101, -1}, ChannelKind.WECOM: {45009, -1}}
USER_AGENT = "Casework-Channels/1"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retry: bool = False
    status: int | None = None
    answer: str | None = None
    error: str | None = None
    retry_after: timedelta | None = None
    elapsed_ms: int = 0


class _KeysOutOfRequestLines(logging.Filter):
    """urllib3 logs each request line at DEBUG, query string and all: a robot's key is in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(targets.shown(ChannelKind.WEBHOOK, "http://x" + a).removeprefix("http://x")
                                if isinstance(a, str) and a.startswith("/") else a for a in record.args)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_KeysOutOfRequestLines())


def _keys_of(opened: Opened) -> list[str]:
    """Every part of the channel's configuration that must never be stored or shown."""
    found = [opened.secret] if opened.secret else []
    if opened.kind != ChannelKind.EMAIL:
        parts = urlsplit(opened.target)
        found += [value for _name, value in parse_qsl(parts.query) if len(value) >= 4]
        found += [part for part in parts.path.split("/") if len(part) >= 16]
        if parts.password:
            found.append(parts.password)
    return found


def scrub(text: str | None, opened: Opened) -> str | None:
    """`text` cut to ANSWER_MAX characters, with every key of the channel blotted out."""
    if text is None:
        return None
    for key in _keys_of(opened):
        text = text.replace(key, "***")
    return text[:ANSWER_MAX]


def _said(message: str, /, **params) -> str:
    return translate(message, "zh", params)


def _retry_after(response: requests.Response) -> timedelta | None:
    value = response.headers.get("Retry-After", "")
    return min(timedelta(seconds=int(value)), RETRY_AFTER_MAX) if value.isdigit() else None


def _post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    started = time.monotonic()
    try:
        response = requests.post(url, data=body, headers={"Content-Type": "application/json; charset=utf-8",
                                                          "User-Agent": USER_AGENT, **headers},
                                 timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=False)
    except requests.RequestException as exc:  # refused, reset, timed out, a broken TLS handshake …
        return Outcome(False, retry=True, error=_said("ch_error_network", kind=type(exc).__name__),
                       elapsed_ms=int((time.monotonic() - started) * 1000))
    elapsed = int((time.monotonic() - started) * 1000)
    status, answer = response.status_code, response.text[:ANSWER_MAX * 2]
    if 200 <= status < 300:
        return Outcome(True, status=status, answer=answer, elapsed_ms=elapsed)
    transient = status >= 500 or status in (408, 429)
    return Outcome(False, retry=transient, status=status, answer=answer, error=_said("ch_error_http", status=status),
                   retry_after=_retry_after(response) if transient else None, elapsed_ms=elapsed)


def _robot_answer(kind: str, outcome: Outcome) -> Outcome:
    """DingTalk and WeCom answer HTTP 200 even when they refuse: the verdict is `errcode`."""
    if not outcome.ok:
        return outcome
    try:
        code = json.loads(outcome.answer or "").get("errcode")
    except (ValueError, AttributeError):
        return replace(outcome, ok=False, error=_said("ch_error_answer"))
    if code == 0:
        return outcome
    busy = code in _ROBOT_BUSY[kind]
    return replace(outcome, ok=False, retry=busy, error=_said("ch_error_robot", code=code),
                   retry_after=timedelta(minutes=1) if busy else None)


def _refused_target(opened: Opened, private_ok: bool) -> Outcome | None:
    if not private_ok and targets.resolves_private(targets.host_of(opened.target)):
        return Outcome(False, error=_said("target_private"))
    return None


def send_http(opened: Opened, message: Message, *, private_ok: bool, now_ms: int) -> Outcome:
    """POST the message to a robot or webhook; what the other end said."""
    refused = _refused_target(opened, private_ok)
    if refused:
        return refused
    if opened.kind == ChannelKind.WEBHOOK:
        body = formats.webhook_body(message, sent_at=_iso(now_ms))
        headers = {"X-Casework-Delivery": str(message.delivery_id)}
        if opened.secret:
            headers[signing.SIGNATURE_HEADER] = signing.webhook_signature(opened.secret, body)
        outcome = _post(opened.target, body, headers)
    else:
        payload = formats.dingtalk(message) if opened.kind == ChannelKind.DINGTALK else formats.wecom(message)
        url = opened.target
        if opened.kind == ChannelKind.DINGTALK and opened.secret:
            url = signing.dingtalk_url(url, opened.secret, now_ms)
        outcome = _robot_answer(opened.kind, _post(url, json.dumps(payload, ensure_ascii=False).encode(), {}))
    return replace(outcome, answer=scrub(outcome.answer, opened), error=scrub(outcome.error, opened))


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat()


def _smtp_reply(code: int, text: bytes | str) -> Outcome:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    # SMTP's own convention: 4xx is "try again later", 5xx is "never".
    return Outcome(False, retry=400 <= code < 500, status=code, answer=said[:ANSWER_MAX],
                   error=_said("ch_error_smtp", code=code))


def send_email(smtp: SmtpSettings | None, opened: Opened, message: Message) -> Outcome:
    """Send the message to the channel's address through the install's mail server."""
    if smtp is None:
        return Outcome(False, error=_said("ch_error_no_smtp"))
    mail = formats.email(message, sender=smtp.sender, to=opened.target, domain=smtp.sender.rpartition("@")[2])
    context = ssl.create_default_context()
    if smtp.ca_file:
        context.load_verify_locations(cafile=str(smtp.ca_file))
    started = time.monotonic()
    try:
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        return replace(_smtp_reply(code, text), elapsed_ms=int((time.monotonic() - started) * 1000))
    except smtplib.SMTPResponseException as exc:  # authentication, sender, data refused …
        return replace(_smtp_reply(exc.smtp_code, exc.smtp_error), elapsed_ms=int((time.monotonic() - started) * 1000))
    except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as exc:  # will not fix itself
        return Outcome(False, error=_said("ch_error_tls", kind=type(exc).__name__))
    except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out, TLS broken off
        return Outcome(False, retry=True, error=_said("ch_error_network", kind=type(exc).__name__),
                       elapsed_ms=int((time.monotonic() - started) * 1000))
    return Outcome(True, status=250, answer="250 OK", elapsed_ms=int((time.monotonic() - started) * 1000))


def send(opened: Opened, message: Message, *, smtp: SmtpSettings | None, private_ok: bool) -> Outcome:
    """Send `message` through the channel, whatever its kind."""
    if opened.kind == ChannelKind.EMAIL:
        return send_email(smtp, opened, message)
    return send_http(opened, message, private_ok=private_ok, now_ms=int(time.time() * 1000))
