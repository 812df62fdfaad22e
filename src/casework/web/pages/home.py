""""My work" (/), the home page: my open cases by deadline, and my notifications."""

from __future__ import annotations

import json

from flask import redirect, url_for

from casework.cases import my_work as work
from casework.cases.service import definition_of
from casework.errors import NotFound
from casework.i18n import translate
from casework.notifications import service as notifications
from casework.web.context import commit, current_user, db
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import START, camera_submits
from casework.web.pages.render import language, page, state_label
from casework.web.request_shape import takes_files
from casework.web.rules import SIGNED_IN, rule
from casework.web.rules import page as on_page

INBOX_SHOWN = 20


def _card(item: work.WorkItem) -> dict:
    definition = definition_of(session=db(), case=item.case)
    return {"case": item.case, "place": item.case.village or item.unit.name, "bucket": item.bucket,
            "days": item.days, "state_label": state_label(definition, item.case.state),
            "can_start": START in item.allowed, "camera": camera_submits(definition, item.allowed)}


@bp.route("/")
@rule(on_page(SIGNED_IN))
def my_work():
    """My cases, overdue first, then due within a week, then the rest; my latest notifications."""
    me = current_user()
    cards = [_card(item) for item in work.my_cases(session=db(), user=me)]
    groups = [(bucket, [c for c in cards if c["bucket"] == bucket]) for bucket in work.BUCKETS]
    rows = notifications.inbox(session=db(), user_id=me.id, limit=INBOX_SHOWN)
    inbox = [{"n": n, "text": translate(n.code, language(), json.loads(n.params))} for n in rows]
    return page("my_work.html", groups=groups, total=len(cards), inbox=inbox,
                unread=notifications.unread_count(session=db(), user_id=me.id))


@bp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@rule(on_page(SIGNED_IN))
@takes_files
def mark_read(notification_id):
    """Mark one of my notifications read (someone else's is not found)."""
    me = current_user()
    marked = notifications.mark_read(session=db(), user_id=me.id, notification_id=notification_id)
    if not marked and not notifications.owns(session=db(), user_id=me.id, notification_id=notification_id):
        raise NotFound("notification_not_found", ref=notification_id)
    commit()
    return redirect(url_for(".my_work") + "#inbox", 303)


@bp.route("/notifications/read-all", methods=["POST"])
@rule(on_page(SIGNED_IN))
@takes_files
def mark_all_read():
    """Mark all my notifications read."""
    notifications.mark_read(session=db(), user_id=current_user().id)
    commit()
    return redirect(url_for(".my_work") + "#inbox", 303)
