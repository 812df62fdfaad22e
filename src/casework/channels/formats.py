"""A message as each kind of channel takes it: DingTalk and WeCom markdown, e-mail, signed JSON.

Short enough for a phone: a single step is a headline, the case, where and by when, whom it
concerns and its link; a digest lists its steps most pressing first and stops at what the
robot accepts (WeCom: 4096 bytes of markdown, 2048 of text), saying how many more there are.
Text people typed (titles, villages) is shown as typed but cannot become markdown: a title
holding `[link](…)` or `<@all>` stays text, and @mentions only ever come from user records.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime

from casework.channels.compose import Message
from casework.i18n import has, translate

DINGTALK_BUDGET = 4000  # bytes of markdown: DingTalk takes more, a phone shows less
WECOM_MARKDOWN_BUDGET = 4096  # WeCom's own limits
WECOM_TEXT_BUDGET = 2048
EMAIL_ITEMS_MAX = 500
# Markdown's own characters, swapped for their full-width forms (which read the same in Chinese).
_PLAIN = str.maketrans({"[": "［", "]": "］", "*": "＊", "_": "＿", "#": "＃", "<": "＜", ">": "＞", "`": "｀",
                        "\\": "＼", "|": "｜", "~": "～"})


def _t(code: str, **params) -> str:
    return translate(code, "zh", params)


def _safe(text: str | None) -> str:
    return (text or "").translate(_PLAIN).replace("\n", " ")


def headline(item) -> str:
    if item.kind == "test":
        return _t("ch_head_test")
    code = f"ch_head_{item.code}"
    return _t(code, level=item.level) if has(code) else _t("ch_head_other")


def how_late(item) -> str:
    if item.code == "n_stalled":
        return _t("ch_stalled", state=item.params.get("state", ""), time_allowed=item.params.get("time_allowed", ""))
    if item.days_late:
        return _t("ch_days_late", days=item.days_late)
    if item.days_left is not None and item.kind == "reminder":
        return _t("ch_days_left", days=item.days_left) if item.days_left else _t("ch_due_today")
    return ""


def _single_lines(message: Message, *, markdown: bool) -> list[str]:
    item = message.items[0]
    bold = "**" if markdown else ""
    late = how_late(item)
    head = f"{headline(item)} · {late}" if late else headline(item)
    lines = [f"#### {head}" if markdown else f"【{head}】"]
    if item.case_id is None:
        lines.append(_safe(item.text) if markdown else item.text)
    else:
        title = _safe(item.title) if markdown else item.title
        lines.append(f"{bold}{item.number}{bold} {title}")
        place = _safe(item.place) if markdown else item.place
        lines.append(_t("ch_where_deadline", place=place, deadline=item.deadline) if item.deadline else place or "")
        if item.kind == "returned" and item.params.get("reason"):
            lines.append(_t("ch_reason", reason=_safe(item.params["reason"]) if markdown else item.params["reason"]))
    return [line for line in lines if line]


def _digest_line(number: int, item, *, markdown: bool) -> str:
    bold = "**" if markdown else ""
    if item.case_id is None:
        return f"{number}. {_safe(item.text) if markdown else item.text}"
    status = how_late(item) or headline(item)
    if item.kind == "escalation":
        status = _t("ch_level_short", status=status, level=item.level)
    place = _safe(item.place) if markdown else item.place
    title = _safe(item.title) if markdown else item.title
    return f"{number}. {bold}{item.number}{bold} {title}({place})· {status}"


def _fit(head: list[str], lines: list[str], tail: list[str], budget: int | None, joiner: str) -> list[str]:
    """As many of `lines` as fit between head and tail in `budget` bytes, and how many did not."""
    shown: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        candidate = head + shown + [line] + ([_t("ch_digest_more", count=rest)] if rest else []) + tail
        if budget is not None and len(joiner.join(candidate).encode()) > budget:
            return head + shown + [_t("ch_digest_more", count=len(lines) - index)] + tail
        shown.append(line)
    return head + shown + tail


def lines(message: Message, *, markdown: bool, budget: int | None = None, mention: bool = False,
          link: bool = True) -> list[str]:
    """The message as lines (markdown or plain), within `budget` bytes when given."""
    tail = []
    if mention and message.mentions:
        tail.append(_t("ch_mention", people=" ".join(f"@{m}" for m in message.mentions)))
    if link:
        label = _t("ch_open_list") if message.digest else _t("ch_open_case") if message.items[0].case_id else \
            _t("ch_open_app")
        tail.append(f"[{label}]({message.link})" if markdown else f"{label}:{message.link}")
    if not message.digest:
        return _fit(_single_lines(message, markdown=markdown), [], tail, budget, "\n\n")
    head = [f"#### {_t('ch_digest_head', count=len(message.items))}" if markdown
            else f"【{_t('ch_digest_head', count=len(message.items))}】"]
    items = [_digest_line(n, item, markdown=markdown) for n, item in enumerate(message.items[:EMAIL_ITEMS_MAX], 1)]
    return _fit(head, items, tail, budget, "\n")


def title(message: Message) -> str:
    """What a chat list or an inbox shows before it is opened."""
    if message.digest:
        return _t("ch_digest_head", count=len(message.items))
    item = message.items[0]
    late = how_late(item)
    head = f"{headline(item)} · {late}" if late else headline(item)
    return f"【{head}】{item.number} {item.title}" if item.case_id else f"【{head}】{item.text}"[:120]


def dingtalk(message: Message) -> dict:
    """A DingTalk robot's markdown message; @mentions need the numbers in the text and in `at`."""
    body = "\n\n".join(lines(message, markdown=True, budget=DINGTALK_BUDGET, mention=True))
    return {"msgtype": "markdown", "markdown": {"title": title(message)[:64], "text": body},
            "at": {"atMobiles": list(message.mentions), "isAtAll": False}}


def wecom(message: Message) -> dict:
    """A WeCom robot's markdown message — or, when someone is to be @mentioned, its text message:
    WeCom's markdown can @mention only by WeCom user id, its text messages by mobile number."""
    if message.mentions:
        content = "\n".join(lines(message, markdown=False, budget=WECOM_TEXT_BUDGET, mention=True))
        return {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": list(message.mentions)}}
    return {"msgtype": "markdown",
            "markdown": {"content": "\n".join(lines(message, markdown=True, budget=WECOM_MARKDOWN_BUDGET))}}


def webhook(message: Message, *, sent_at: str) -> dict:
    """The generic webhook's JSON: the ids receivers drop repeats by, each step's fields, the text."""
    return {
        "type": "casework.test" if message.test else "casework.notifications",
        "delivery_id": message.delivery_id,
        "notification_ids": message.notification_ids,
        "digest": message.digest,
        "sent_at": sent_at,
        "title": title(message),
        "text": "\n".join(lines(message, markdown=False)),
        "link": message.link,
        "items": [{"notification_ids": list(item.notification_ids), "kind": item.kind, "level": item.level,
                   "case_id": item.case_id, "number": item.number, "title": item.title, "village": item.place,
                   "deadline": item.deadline, "days_late": item.days_late, "days_left": item.days_left,
                   "url": item.url, "text": item.text} for item in message.items],
    }


def webhook_body(message: Message, *, sent_at: str) -> bytes:
    return json.dumps(webhook(message, sent_at=sent_at), ensure_ascii=False, separators=(",", ":")).encode()


def email(message: Message, *, sender: str, to: str, domain: str) -> EmailMessage:
    """A plain-text e-mail in UTF-8; its Message-ID names the delivery, so a repeat is recognisable."""
    mail = EmailMessage()
    mail["Subject"] = title(message)
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = format_datetime(message.at or datetime.now(timezone.utc))
    # The same for every attempt at one delivery: mail systems drop a copy sent twice.
    mail["Message-ID"] = f"<casework.delivery.{message.delivery_id}@{domain}>"
    mail["X-Casework-Delivery"] = str(message.delivery_id)
    if message.notification_ids:
        mail["X-Casework-Notifications"] = ",".join(str(i) for i in message.notification_ids)
    body = "\n".join(lines(message, markdown=False)) + "\n\n-- \n" + _t("ch_email_footer") + "\n"
    # Base64 keeps the whole message 7-bit, for any mail server on the way.
    mail.set_content(body, charset="utf-8", cte="base64")
    return mail
