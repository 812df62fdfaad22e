from flask_smorest import Blueprint

from casework.deadlines import calendar
from casework.errors import Forbidden
from casework.users.scope import can_see_everything
from casework.deadlines.schemas import OverrideArgs, OverrideIn, OverrideList, OverrideOut
from casework.web.context import commit, current_user, db
from casework.web.idempotency import idempotent
from casework.web.rules import ADMIN, SIGNED_IN, rule

blp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar",
                description="Working days (工作日): China's official calendar and this install's overrides")


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(OverrideArgs, location="query")
@blp.response(200, OverrideList)
def list_overrides(args):
    """The days whose standing this install sets itself (of one year with `?year=`)."""
    return {"items": calendar.overrides(session=db(), year=args.get("year")), "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(ADMIN)
@idempotent
@blp.arguments(OverrideIn)
@blp.response(200, OverrideOut)
def set_day(body):
    """Say whether a day is a working day here (a local holiday, a make-up day announced late)."""
    if not can_see_everything(db(), current_user()):
        raise Forbidden("forbidden")  # the calendar is the whole install's
    override = calendar.set_day(session=db(), day=body["day"], is_workday=body["is_workday"],
                                note=body.get("note") or "", actor_id=current_user().id)
    commit()
    return override
