from flask_smorest import Blueprint

from casework.audit import logs
from casework.audit.schemas import AccessLogArgs, AccessLogPage, AdminLogArgs, AdminLogPage, VerifyOut
from casework.audit.verify import verify_all
from casework.errors import BadRequest
from casework.web import paging
from casework.web.context import current_user, db
from casework.web.rules import AUDITS, rule

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The tamper-evident record")


@blp.route("/verify", methods=["GET"])
@rule(AUDITS)
@blp.response(200, VerifyOut)
def verify():
    """Recompute the hash chain of every case in your scope and name the first event that does not match."""
    return verify_all(session=db(), user=current_user())


def _page(args: dict, filters: dict, read) -> dict:
    """Newest first, `limit` at a time, continued by a cursor bound to the filters and the reader."""
    bound_to = {**filters, "user": current_user().id}
    after = paging.decode(args.get("cursor"), bound_to)
    if after is not None and not (len(after) == 1 and isinstance(after[0], int)):
        raise BadRequest("bad_cursor")
    entries = read(session=db(), user=current_user(), limit=args["limit"] + 1,
                   before_id=after[0] if after else None, **filters)
    more = len(entries) > args["limit"]
    entries = entries[: args["limit"]]
    return {"items": entries, "next_cursor": paging.encode([entries[-1].id], bound_to) if more else None}


@blp.route("/admin-log", methods=["GET"])
@rule(AUDITS)
@blp.arguments(AdminLogArgs, location="query")
@blp.response(200, AdminLogPage)
def list_admin_log(args):
    """Who created units and users and granted or changed roles, newest first (filter by target)."""
    return _page(args, {"target_type": args.get("target_type"), "target_id": args.get("target_id")},
                 logs.admin_log_page)


@blp.route("/access-log", methods=["GET"])
@rule(AUDITS)
@blp.arguments(AccessLogArgs, location="query")
@blp.response(200, AccessLogPage)
def list_access_log(args):
    """Who signed in or failed to (with the address), and who took data out, newest first."""
    return _page(args, {"action": args.get("action"), "actor_id": args.get("actor_id")}, logs.access_log_page)
