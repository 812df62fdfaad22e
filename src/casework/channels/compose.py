"""What a delivery says, gathered from its notifications: one item per step (a unit's group hears
of a step once, however many of its people were told), with what a phone needs to show —
number, title, village, deadline, how late, the escalation level, the case's link — and whom a
group robot should @mention.

The text is Chinese whatever the readers' own language: the groups and inboxes are shared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.channels.models import Channel, Delivery, DeliveryItem
from casework.i18n import translate
from casework.notifications.models import Notification
from casework.units.models import Unit
from casework.users.models import User

ZH = "zh"
# From this escalation level up, a group robot @mentions the responsible person.
MENTION_FROM_LEVEL = 2
MENTIONS_MAX = 20


@dataclass(frozen=True)
class Item:
    """One step a delivery tells of (the notifications of its people collapsed into one)."""

    notification_ids: tuple[int, ...]
    kind: str  # reminder, escalation, assigned, returned, to_verify, …
    code: str  # the inbox message's code: n_overdue and n_stalled are both escalations
    level: int
    text: str  # the inbox message, in Chinese
    case_id: int | None = None
    number: str | None = None
    title: str | None = None
    place: str | None = None  # the village, else the responsible unit
    deadline: str | None = None
    days_late: int | None = None
    days_left: int | None = None
    params: dict = field(default_factory=dict)
    url: str | None = None
    mobiles: tuple[str, ...] = ()

    @property
    def urgency(self) -> tuple:
        """Sort key, most pressing first: higher levels, then longer overdue."""
        return (-self.level, -(self.days_late or 0), self.days_left if self.days_left is not None else 99,
                self.number or "", self.notification_ids)


@dataclass(frozen=True)
class Message:
    delivery_id: int
    channel_name: str
    items: list[Item]
    link: str
    digest: bool = False
    test: bool = False
    mentions: tuple[str, ...] = ()
    at: datetime | None = None

    @property
    def notification_ids(self) -> list[int]:
        return sorted(i for item in self.items for i in item.notification_ids)


def _url(base_url: str, path: str) -> str:
    return base_url + path if path.startswith("/") else path


def _item(group: list[Notification], case: Case | None, place: str | None, base_url: str,
          mobiles: tuple[str, ...]) -> Item:
    first = group[0]
    params = json.loads(first.params)
    if params.get("link"):
        # The inbox keeps the app's own path; outside it, a message needs the whole address.
        params["link"] = _url(base_url, params["link"])
    text = translate(first.code, ZH, params)
    if case is None:
        return Item(tuple(n.id for n in group), first.kind, first.code, first.level, text, params=params,
                    url=params.get("link"))
    return Item(tuple(n.id for n in group), first.kind, first.code, first.level, text, case_id=case.id,
                number=case.number, title=case.title, place=place,
                deadline=case.deadline.isoformat() if case.deadline else None,
                days_late=params.get("days_late"), days_left=params.get("days_left"), params=params,
                url=f"{base_url}/cases/{case.id}", mobiles=mobiles)


def compose(*, session: Session, delivery: Delivery, channel: Channel, base_url: str) -> Message:
    """The message a delivery sends (a digest when it carries more than one step)."""
    notifications = list(session.scalars(
        select(Notification).join(DeliveryItem, DeliveryItem.notification_id == Notification.id)
        .where(DeliveryItem.delivery_id == delivery.id).order_by(Notification.id)))
    groups: dict[str, list[Notification]] = {}
    for notification in notifications:
        groups.setdefault(notification.dedupe_key, []).append(notification)
    case_ids = {n.case_id for n in notifications if n.case_id is not None}
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))} if case_ids else {}
    unit_names = dict(session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_({c.unit_id for c in cases.values()}))).all()) if cases else {}
    people = {n.user_id for n in notifications} | {c.assignee_id for c in cases.values() if c.assignee_id}
    mobile_of = dict(session.execute(select(User.id, User.mobile).where(User.id.in_(people), User.mobile.is_not(None)))
                     .all()) if people else {}
    items = []
    for group in groups.values():
        case = cases.get(group[0].case_id)
        mobiles: tuple[str, ...] = ()
        if case is not None and group[0].level >= MENTION_FROM_LEVEL:
            # The responsible person (责任人); a case nobody was assigned yet: those told to act on it.
            wanted = [case.assignee_id] if case.assignee_id else [n.user_id for n in group]
            mobiles = tuple(dict.fromkeys(mobile_of[u] for u in wanted if u in mobile_of))
        place = (case.village or unit_names.get(case.unit_id)) if case is not None else None
        items.append(_item(group, case, place, base_url, mobiles))
    items.sort(key=lambda item: item.urgency)
    mentions = tuple(dict.fromkeys(m for item in items for m in item.mobiles))[:MENTIONS_MAX]
    if len(items) == 1 and items[0].url:
        link = items[0].url
    elif channel.unit_id is not None:
        late = "&overdue=true" if any(item.days_late for item in items) else ""
        link = f"{base_url}/cases?unit_id={channel.unit_id}{late}"
    else:
        link = f"{base_url}/"
    return Message(delivery.id, channel.name, items, link, digest=len(items) > 1, mentions=mentions,
                   at=delivery.created_at)


def test_message(*, delivery_id: int, channel: Channel, base_url: str, at: datetime) -> Message:
    """What the test button sends: no case, just proof the channel works."""
    text = translate("ch_test_text", ZH, {"name": channel.name})
    item = Item((), "test", "ch_test_text", 0, text, url=base_url + "/")
    return Message(delivery_id, channel.name, [item], base_url + "/", test=True, at=at)
