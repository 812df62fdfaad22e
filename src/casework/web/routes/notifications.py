import json

from flask_smorest import Blueprint

from casework.errors import BadRequest, NotFound
from casework.i18n import translate
from casework.notifications import service
from casework.notifications.schemas import Inbox, InboxArgs, MarkedOut
from casework.web import paging
from casework.web.context import commit, current_user, db
from casework.web.errors import language
from casework.web.rules import SIGNED_IN, rule

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="Your inbox (通知)")


def _show(notification) -> dict:
    return {"id": notification.id, "kind": notification.kind, "level": notification.level,
            "case_id": notification.case_id, "created_at": notification.created_at, "read_at": notification.read_at,
            "message": translate(notification.code, language(), json.loads(notification.params))}


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(InboxArgs, location="query")
@blp.response(200, Inbox)
def inbox(args):
    """Your notifications, newest first, with how many are unread."""
    me = current_user()
    bound_to = {"unread": args["unread"], "user": me.id}
    after = paging.decode(args.get("cursor"), bound_to)
    if after is not None and not (len(after) == 1 and isinstance(after[0], int)):
        raise BadRequest("bad_cursor")
    rows = service.inbox(session=db(), user_id=me.id, limit=args["limit"] + 1, before_id=after[0] if after else None,
                         unread_only=args["unread"])
    more, rows = len(rows) > args["limit"], rows[: args["limit"]]
    return {"items": [_show(n) for n in rows], "unread": service.unread_count(session=db(), user_id=me.id),
            "next_cursor": paging.encode([rows[-1].id], bound_to) if more else None}


@blp.route("/<id:notification_id>/read", methods=["POST"])
@rule(SIGNED_IN)
@blp.response(200, MarkedOut)
def mark_read(notification_id):
    """Mark one of your notifications read."""
    marked = service.mark_read(session=db(), user_id=current_user().id, notification_id=notification_id)
    if not marked and not service.owns(session=db(), user_id=current_user().id, notification_id=notification_id):
        raise NotFound("notification_not_found", ref=notification_id)
    commit()
    return {"marked": marked}


@blp.route("/read-all", methods=["POST"])
@rule(SIGNED_IN)
@blp.response(200, MarkedOut)
def mark_all_read():
    """Mark all your notifications read."""
    marked = service.mark_read(session=db(), user_id=current_user().id)
    commit()
    return {"marked": marked}
